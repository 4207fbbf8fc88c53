/// Computes a unit's SLO report from its availability timeline: time-weighted SLI, error budget,
/// burn rates per window and the resulting budget state. Pure; never divides by zero.
public enum SLOEvaluator {
    /// The SLO window's totals when they were summed elsewhere (from the store's running sums), so
    /// that the timeline needs to cover only the alert windows.
    public struct SummedWindow: Sendable, Equatable {
        public var totals: TimeTotals
        /// When the unit was first observed, if ever.
        public var firstObservation: Double?

        public init(totals: TimeTotals, firstObservation: Double?) {
            self.totals = totals
            self.firstObservation = firstObservation
        }
    }

    /// - Parameter summed: the SLO window's totals, if not to be taken from `timeline`.
    public static func evaluate(_ timeline: AvailabilityTimeline, spec: SLOSpec, now: Double, summed: SummedWindow? = nil) -> SLOReport {
        let windowStart = now - spec.window
        let totals = summed?.totals ?? timeline.totals(from: windowStart, to: now)
        let first = (summed.map { $0.firstObservation } ?? timeline.firstObservation) ?? now
        let observedSeconds = max(0, now - max(first, windowStart))
        let unavailable = 1 - spec.objective
        let budget = spec.budget
        let consumed = totals.bad
        let remaining = budget - consumed

        func rate(over window: Double) -> Double {
            guard unavailable > 0 else { return 0 }
            return timeline.totals(from: now - window, to: now).badRatio / unavailable
        }
        var rates: [Double: Double] = [:]
        var coverage: [Double: Double] = [:]
        for rule in spec.rules {
            for window in [rule.longWindow, rule.shortWindow] where rates[window] == nil {
                rates[window] = rate(over: window)
                coverage[window] = window > 0 ? min(1, timeline.totals(from: now - window, to: now).counted / window) : 0
            }
        }
        let statuses = spec.rules.map { rule -> SLOReport.RuleStatus in
            let long = rates[rule.longWindow] ?? 0, short = rates[rule.shortWindow] ?? 0
            return SLOReport.RuleStatus(rule: rule, longRate: long, shortRate: short, firing: long > rule.threshold && short > rule.threshold)
        }

        let state: BudgetState
        if remaining <= 0 && budget >= 0 && consumed > 0 {
            state = .exhausted
        } else if statuses.contains(where: { $0.firing && $0.rule.severity == .page }) {
            state = .breached
        } else if statuses.contains(where: { $0.firing && $0.rule.severity == .ticket }) {
            state = .warning
        } else {
            state = .ok
        }

        // Time to exhaustion at the burn rate of the shortest page (else any) long window.
        let reference = spec.rules.filter { $0.severity == .page }.map(\.longWindow).min()
            ?? spec.rules.map(\.longWindow).min() ?? spec.window
        let currentRate = rates[reference] ?? rate(over: reference)
        let timeToExhaustion: Double?
        if remaining <= 0 {
            timeToExhaustion = consumed > 0 ? 0 : nil
        } else if currentRate > 0 && unavailable > 0 {
            timeToExhaustion = remaining / (currentRate * unavailable)
        } else {
            timeToExhaustion = nil
        }

        return SLOReport(
            objective: spec.objective,
            window: spec.window,
            totals: totals,
            sli: totals.counted > 0 ? totals.good / totals.counted : nil,
            windowFilled: first <= windowStart,
            observedSeconds: observedSeconds,
            budgetSeconds: budget,
            consumedSeconds: consumed,
            remainingSeconds: remaining,
            remainingPercent: budget > 0 ? remaining / budget * 100 : 0,
            burnRates: rates.keys.sorted().map { SLOReport.BurnRate(window: $0, rate: rates[$0] ?? 0, coverage: coverage[$0] ?? 0) },
            rules: statuses,
            state: state,
            alertLevel: state.alertLevel,
            timeToExhaustion: timeToExhaustion
        )
    }
}
