import MedicCore

/// One unit as `medic status --json` prints it.
struct UnitReport: Encodable {
    var unit: String
    var health: String
    var activeState: String
    var subState: String
    var loadState: String
    var result: String?
    var exitStatus: Int32?
    var signal: String?
    var restarts: UInt32?
    var cause: String
    var reason: String
    var description: String
    /// The unit's error budget, when a history store is present.
    var slo: Budget?

    /// The SLO columns of `medic status`.
    struct Budget: Encodable {
        var state: String
        var alertLevel: String
        var sli: Double?
        var remainingPercent: Double

        init(_ report: SLOReport) {
            state = report.state.rawValue
            alertLevel = report.alertLevel
            sli = report.sli
            remainingPercent = report.remainingPercent
        }
    }

    init(_ unit: UnitHealth) {
        let s = unit.snapshot
        self.unit = s.name
        health = unit.verdict.health.rawValue
        activeState = s.activeState
        subState = s.subState
        loadState = s.loadState
        result = s.result
        if s.execMainCode == 1 { exitStatus = s.execMainStatus }
        if s.execMainCode == 2 || s.execMainCode == 3, let number = s.execMainStatus { signal = SignalName.of(number) }
        restarts = s.restartCount
        cause = unit.verdict.cause.rawValue
        reason = unit.verdict.reason
        description = s.description
    }
}

/// The summary line's figures.
struct SummaryReport: Encodable {
    var total, healthy, degraded, failed, idle, unknown: Int
    var healthyPercent: Double

    init(_ summary: HealthSummary) {
        total = summary.total
        healthy = summary.healthy
        degraded = summary.degraded
        failed = summary.failed
        idle = summary.idle
        unknown = summary.unknown
        healthyPercent = (summary.healthyPercent * 10).rounded() / 10
    }

    var text: String {
        "\(total) units: \(healthy) healthy, \(degraded) degraded, \(failed) failed, \(idle) idle, \(unknown) unknown; \(healthyPercent)% healthy"
    }
}

/// One health transition as `medic watch --json` prints it.
struct TransitionReport: Encodable {
    var time: String
    var unit: String
    var from: String?
    var to: String
    var cause: String
    var reason: String
    var activeState: String
    var subState: String
    var result: String?

    init(_ t: HealthTransition) {
        time = Timestamp.rfc3339(seconds: t.time)
        unit = t.unit
        from = t.from?.rawValue
        to = t.to.rawValue
        cause = t.cause.rawValue
        reason = t.reason
        activeState = t.snapshot.activeState
        subState = t.snapshot.subState
        result = t.snapshot.result
    }

    var text: String {
        "\(time)  \(unit)  \(from ?? "new") -> \(to)  \(reason)"
    }

    // Keep "from": null in the JSON rather than omitting it.
    enum CodingKeys: String, CodingKey { case time, unit, from, to, cause, reason, activeState, subState, result }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(unit, forKey: .unit)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(cause, forKey: .cause)
        try c.encode(reason, forKey: .reason)
        try c.encode(activeState, forKey: .activeState)
        try c.encode(subState, forKey: .subState)
        try c.encodeIfPresent(result, forKey: .result)
    }
}

/// Formats the status table.
enum StatusTable {
    /// With `budgets` (a history store is present) two SLO columns come before the reason.
    static func lines(_ units: [UnitHealth], budgets: [String: SLOReport]? = nil) -> [String] {
        let nameWidth = min(60, units.map(\.name.count).max() ?? 4)
        let stateWidth = units.map { $0.snapshot.activeState.count + $0.snapshot.subState.count + 1 }.max() ?? 5
        let sloHeader = budgets == nil ? "" : "\("SLO".padded(9)) \("BUDGET".padded(7)) "
        var lines = ["\("HEALTH".padded(9)) \("UNIT".padded(nameWidth)) \("STATE".padded(stateWidth)) \(sloHeader)REASON"]
        for unit in units {
            let state = unit.snapshot.activeState + "/" + unit.snapshot.subState
            var slo = ""
            if let budgets {
                let report = budgets[unit.name]
                let left = report.map { "\(Int($0.remainingPercent.rounded()))%" } ?? "-"
                slo = "\((report?.state.rawValue ?? "-").padded(9)) \(left.padded(7)) "
            }
            lines.append("\(unit.verdict.health.rawValue.padded(9)) \(unit.name.padded(nameWidth)) \(state.padded(stateWidth)) \(slo)\(unit.verdict.reason)")
        }
        return lines
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
