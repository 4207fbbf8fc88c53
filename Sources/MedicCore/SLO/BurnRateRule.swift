/// One multiwindow burn-rate alert of the SRE workbook: it fires when the burn rate over both the
/// long and the short window exceeds the threshold.
public struct BurnRateRule: Sendable, Equatable, Codable {
    /// What firing means: `page` makes the budget `breached`, `ticket` makes it `warning`.
    public enum Severity: String, Sendable, Codable {
        case page
        case ticket
    }

    public var severity: Severity
    /// Seconds.
    public var longWindow: Double
    /// Seconds.
    public var shortWindow: Double
    public var threshold: Double

    public init(severity: Severity, longWindow: Double, shortWindow: Double, threshold: Double) {
        self.severity = severity
        self.longWindow = longWindow
        self.shortWindow = shortWindow
        self.threshold = threshold
    }

    /// The workbook's pairs: page on 1h & 5m > 14.4 or 6h & 30m > 6; ticket on 1d & 2h > 3 or 3d & 6h > 1.
    public static let workbook: [BurnRateRule] = [
        BurnRateRule(severity: .page, longWindow: 3600, shortWindow: 300, threshold: 14.4),
        BurnRateRule(severity: .page, longWindow: 6 * 3600, shortWindow: 1800, threshold: 6),
        BurnRateRule(severity: .ticket, longWindow: 86_400, shortWindow: 2 * 3600, threshold: 3),
        BurnRateRule(severity: .ticket, longWindow: 3 * 86_400, shortWindow: 6 * 3600, threshold: 1),
    ]

    /// e.g. "1h/5m>14.4".
    public var label: String {
        "\(FailureDescription.window(longWindow))/\(FailureDescription.window(shortWindow))>\(NumberText.shortest(threshold))"
    }
}
