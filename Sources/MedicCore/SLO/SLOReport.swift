/// A unit's SLO figures at one moment, as `medic slo` reports them.
public struct SLOReport: Sendable, Equatable, Codable {
    /// The burn rate over one window.
    public struct BurnRate: Sendable, Equatable, Codable {
        /// Seconds.
        public var window: Double
        public var rate: Double
        /// The share of the window with counted (good or bad) time: 0 means no data, and the rate
        /// says nothing.
        public var coverage: Double = 1

        public var hasData: Bool { coverage > 0 }
    }

    /// One burn-rate rule with both of its rates and whether it fires.
    public struct RuleStatus: Sendable, Equatable, Codable {
        public var rule: BurnRateRule
        public var longRate: Double
        public var shortRate: Double
        public var firing: Bool
    }

    public var objective: Double
    /// Seconds.
    public var window: Double
    /// Time per class within the window.
    public var totals: TimeTotals
    /// Good / (good + bad) within the window; nil when there is no counted time yet.
    public var sli: Double?
    /// False while Medic has observed the unit for less than the window: figures cover observed time.
    public var windowFilled: Bool
    /// Seconds of the window Medic has data for (from the first observation, or the window start).
    public var observedSeconds: Double
    /// (1 - objective) x window, in seconds.
    public var budgetSeconds: Double
    /// Bad seconds within the window.
    public var consumedSeconds: Double
    /// Budget minus consumed; negative once overspent.
    public var remainingSeconds: Double
    /// Remaining as a percentage of the budget (may be negative).
    public var remainingPercent: Double
    public var burnRates: [BurnRate]
    public var rules: [RuleStatus]
    public var state: BudgetState
    public var alertLevel: String
    /// Seconds until the budget is gone at the current burn rate (the shortest page window's);
    /// nil when nothing is burning, 0 when already exhausted.
    public var timeToExhaustion: Double?
}
