import Logging
import MedicCore

/// Evaluates every unit's SLO and logs each change of budget state once; keeps the last figures for
/// the metrics and the alerts.
actor BudgetMonitor {
    let logger: Logger
    private var states: [String: BudgetState] = [:]
    /// The last evaluation's figures per unit, and when it ran (nil before the first).
    private(set) var reports: [String: SLOReport] = [:]
    private(set) var evaluatedAt: Double?

    init(logger: Logger) {
        self.logger = logger
    }

    /// Evaluates every unit and returns each one's SLO figures.
    @discardableResult
    func evaluate(_ query: SLOQuery, now: Double) async throws -> [String: SLOReport] {
        var current: [String: SLOReport] = [:]
        for slo in try await query.reports(now: now, knownUntil: now) {
            current[slo.unit] = slo.report
            let state = slo.report.state
            let previous = states.updateValue(state, forKey: slo.unit) ?? .ok
            guard previous != state else { continue }
            let message: Logger.Message = "\(slo.unit): error budget \(previous.rawValue) -> \(state.rawValue) (\(slo.report.alertLevel)), \(Int(slo.report.remainingPercent.rounded()))% left"
            let metadata: Logger.Metadata = ["unit.name": "\(slo.unit)", "slo.state": "\(state.rawValue)", "slo.level": "\(slo.report.alertLevel)"]
            if state > previous { logger.warning(message, metadata: metadata) } else { logger.notice(message, metadata: metadata) }
        }
        reports = current
        evaluatedAt = now
        return current
    }
}
