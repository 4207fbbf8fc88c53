/// An availability objective for a unit: the target share of good time over a rolling window, and
/// the burn-rate rules that alert on it.
public struct SLOSpec: Sendable, Equatable, Codable {
    /// The target as a fraction, e.g. 0.999 for 99.9 %; strictly between 0 and 1.
    public var objective: Double
    /// The rolling window in seconds, e.g. 30 days.
    public var window: Double
    public var rules: [BurnRateRule]

    public init(objective: Double, window: Double, rules: [BurnRateRule] = BurnRateRule.workbook) {
        self.objective = objective
        self.window = window
        self.rules = rules
    }

    /// The error budget in seconds: (1 - objective) x window.
    public var budget: Double { (1 - objective) * window }

    /// The default objective: 99.9 % over 30 days with the workbook's alerts.
    public static let standard = SLOSpec(objective: 0.999, window: 30 * 86_400)
}
