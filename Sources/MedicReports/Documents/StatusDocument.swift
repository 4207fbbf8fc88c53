import MedicCore
import MedicEngine
import MedicStore

/// `medic status --json` and `GET /api/v1/status`: the units with their verdicts and budgets, the
/// summary, and what the running `medic run` says of itself.
public struct StatusDocument: Encodable, Sendable {
    public var units: [UnitReport]
    public var summary: SummaryReport
    /// A refused reload the operator should know of (nil when nothing).
    public var daemon: String?
    public var medicRun: MedicRun?

    /// The running daemon's own state (nil when it never ran with this state directory).
    public struct MedicRun: Encodable, Sendable {
        public var running: Bool
        public var state: DaemonState
    }

    /// `units` worst first as `StatusReader` and the daemon give them; `slos` by unit name when a history exists.
    public init(units: [UnitHealth], slos: [String: SLOReport]?, daemon: String?, live: DaemonState?, now: Double) {
        self.units = units.map { unit in
            var report = UnitReport(unit)
            report.slo = slos?[unit.name].map(UnitReport.Budget.init)
            return report
        }
        summary = SummaryReport(HealthSummary(units))
        self.daemon = daemon
        medicRun = live.map { MedicRun(running: $0.isLive(now: now), state: $0) }
    }

    /// What a running `medic run` wants an operator to know: a refused reload (nil when nothing).
    public static func reloadNote(_ store: MedicStore) async throws -> String? {
        guard let session = try await store.lastSession(), session.stoppedAt == nil,
              let reload = try await store.lastReload(), let error = reload.error else { return nil }
        return "medic run refused the reload at \(Timestamp.rfc3339(seconds: reload.at)) and keeps its previous configuration and playbooks: \(error)"
    }
}

/// One unit as `medic status --json` prints it.
public struct UnitReport: Encodable, Sendable {
    public var unit: String
    public var health: String
    public var activeState: String
    public var subState: String
    public var loadState: String
    public var result: String?
    public var exitStatus: Int32?
    public var signal: String?
    public var restarts: UInt32?
    public var cause: String
    public var reason: String
    public var description: String
    /// What the unit's active probes say, when it has any and the daemon runs them.
    public var probe: ProbeReport?
    /// When the unit last changed state, as systemd says (RFC 3339; nil when systemd has none).
    public var stateChangedAt: String?
    /// The same moment in seconds since the epoch, for the dashboard (not in the JSON).
    public var stateChangedSeconds: Double?
    /// The unit's error budget, when a history store is present.
    public var slo: Budget?

    enum CodingKeys: String, CodingKey {
        case unit, health, activeState, subState, loadState, result, exitStatus, signal, restarts, cause, reason, description, stateChangedAt, slo, probe
    }

    /// A unit's probe in `medic status --json`: its status, which probe, and its last result.
    public struct ProbeReport: Encodable, Sendable {
        public var status: String
        public var probe: String
        public var lastResult: String?

        public init(_ state: ProbeState) {
            status = state.status.rawValue
            probe = state.label
            lastResult = state.detail
        }
    }

    /// The SLO columns of `medic status`.
    public struct Budget: Encodable, Sendable {
        public var state: String
        public var alertLevel: String
        public var sli: Double?
        public var remainingPercent: Double

        public init(_ report: SLOReport) {
            state = report.state.rawValue
            alertLevel = report.alertLevel
            sli = report.sli
            remainingPercent = report.remainingPercent
        }
    }

    public init(_ unit: UnitHealth) {
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
        probe = s.probe.map(ProbeReport.init)
        if let micros = s.stateChangeMicros, micros > 0 {
            stateChangedAt = Timestamp.rfc3339(micros: micros)
            stateChangedSeconds = Double(micros) / 1_000_000
        }
    }
}

/// The summary line's figures.
public struct SummaryReport: Encodable, Sendable {
    public var total, healthy, degraded, failed, idle, unknown: Int
    /// Failed and degraded units: what a person should look at (idle units are idle by design).
    public var needAttention: Int
    public var healthyPercent: Double

    public init(_ summary: HealthSummary) {
        total = summary.total
        healthy = summary.healthy
        degraded = summary.degraded
        failed = summary.failed
        idle = summary.idle
        unknown = summary.unknown
        needAttention = summary.failed + summary.degraded
        healthyPercent = (summary.healthyPercent * 10).rounded() / 10
    }

    /// "31 units: 1 needs attention (1 failed, 0 degraded); 2 healthy, 28 idle by design, 0 unknown": a
    /// failure among many idle timers does not hide behind a high share of units without trouble.
    public var text: String {
        "\(total) unit\(total == 1 ? "" : "s"): \(needAttention) \(needAttention == 1 ? "needs" : "need") attention (\(failed) failed, \(degraded) degraded); \(healthy) healthy, \(idle) idle by design, \(unknown) unknown"
    }
}
