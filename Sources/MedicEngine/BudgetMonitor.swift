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
            let known = states.updateValue(state, forKey: slo.unit)
            let previous = known ?? .ok
            guard previous != state else { continue }
            // The first evaluation after start has no earlier state to change from.
            let change = known.map { "\($0.rawValue) -> \(state.rawValue)" } ?? "\(state.rawValue) at start"
            let message: Logger.Message = "\(slo.unit): error budget \(change) (\(slo.report.alertLevel)), \(Self.left(slo.report))"
            let metadata: Logger.Metadata = ["unit.name": "\(slo.unit)", "slo.state": "\(state.rawValue)", "slo.level": "\(slo.report.alertLevel)"]
            if state > previous { logger.warning(message, metadata: metadata) } else { logger.notice(message, metadata: metadata) }
        }
        reports = current
        evaluatedAt = now
        return current
    }

    /// The budget left as a person reads it: never "100% left" once some of it is spent (a burn rate
    /// can page on a few bad seconds), and over how much time when the window is not full yet.
    static func left(_ report: SLOReport) -> String {
        let percent = report.remainingPercent
        var text = report.consumedSeconds > 0 && percent >= 99.5
            ? NumberText.fixed(min(percent, 99.9), digits: 1) + "% left" : "\(Int(percent.rounded()))% left"
        if !report.windowFilled { text += " (window not full: \(FailureDescription.duration(report.observedSeconds)) observed)" }
        return text
    }
}
