import Logging
import MedicCore

/// Evaluates every unit's SLO and logs each change of budget state once.
actor BudgetMonitor {
    let query: SLOQuery
    let logger: Logger
    private var states: [String: BudgetState] = [:]

    init(query: SLOQuery, logger: Logger) {
        self.query = query
        self.logger = logger
    }

    func evaluate(now: Double) async throws {
        for slo in try await query.reports(now: now, knownUntil: now) {
            let state = slo.report.state
            let previous = states.updateValue(state, forKey: slo.unit) ?? .ok
            guard previous != state else { continue }
            let message: Logger.Message = "\(slo.unit): error budget \(previous.rawValue) -> \(state.rawValue) (\(slo.report.alertLevel)), \(Int(slo.report.remainingPercent.rounded()))% left"
            let metadata: Logger.Metadata = ["unit.name": "\(slo.unit)", "slo.state": "\(state.rawValue)", "slo.level": "\(slo.report.alertLevel)"]
            if state > previous { logger.warning(message, metadata: metadata) } else { logger.notice(message, metadata: metadata) }
        }
    }
}
