import MedicCore

/// Formats the status table.
enum StatusTable {
    /// The health column, with its space: rows start with it.
    static let healthWidth = 9

    /// "; probe passing": a probed unit's probe, unless the reason already is its failure.
    private static func probeNote(_ unit: UnitHealth) -> String {
        guard let probe = unit.snapshot.probe, unit.verdict.cause != .probe else { return "" }
        return "; probe \(probe.status.rawValue)"
    }

    /// With `budgets` (a history store is present) two SLO columns come before the reason; SINCE is
    /// how long ago the unit last changed state, as systemd says.
    static func lines(_ units: [UnitHealth], budgets: [String: SLOReport]? = nil, now: Double) -> [String] {
        let nameWidth = min(60, units.map(\.name.count).max() ?? 4)
        let stateWidth = units.map { $0.snapshot.activeState.count + $0.snapshot.subState.count + 1 }.max() ?? 5
        let sloHeader = budgets == nil ? "" : "\("SLO".padded(9)) \("BUDGET".padded(7)) "
        let since = units.map { unit in unit.snapshot.stateChangeMicros.flatMap { $0 > 0 ? RelativeTime.ago(Double($0) / 1_000_000, now: now) : nil } ?? "-" }
        let sinceWidth = max(5, since.map(\.count).max() ?? 0)
        var lines = ["\("HEALTH".padded(9)) \("UNIT".padded(nameWidth)) \("STATE".padded(stateWidth)) \("SINCE".padded(sinceWidth)) \(sloHeader)REASON"]
        for (unit, since) in zip(units, since) {
            let state = unit.snapshot.activeState + "/" + unit.snapshot.subState
            var slo = ""
            if let budgets {
                let report = budgets[unit.name]
                let left = report.map { "\(Int($0.remainingPercent.rounded()))%" } ?? "-"
                slo = "\((report?.state.rawValue ?? "-").padded(9)) \(left.padded(7)) "
            }
            lines.append("\(unit.verdict.health.rawValue.padded(9)) \(unit.name.padded(nameWidth)) \(state.padded(stateWidth)) \(since.padded(sinceWidth)) \(slo)\(unit.verdict.reason)\(probeNote(unit))")
        }
        return lines
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

}
