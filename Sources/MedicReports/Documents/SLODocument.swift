import MedicCore
import MedicEngine

/// `medic slo --json` and `GET /api/v1/slo`.
public struct SLODocument: Encodable, Sendable {
    public var units: [SLOJSON]
    public var knownUntil: String

    public init(_ reports: [UnitSLO], knownUntil: Double) {
        units = reports.map(SLOJSON.init)
        self.knownUntil = Timestamp.rfc3339(seconds: knownUntil)
    }
}

/// One unit in `medic slo --json`.
public struct SLOJSON: Encodable, Sendable {
    public var unit: String
    public var objective: Double
    public var window: Double
    public var sli: Double?
    public var windowFilled: Bool
    public var observedSeconds: Double
    public var goodSeconds, badSeconds, excludedSeconds, unknownSeconds: Double
    public var budgetSeconds, consumedSeconds, remainingSeconds, remainingPercent: Double
    /// By window; null for a window without any counted time (a rate of 0 would claim a good one).
    public var burnRates: [String: Double?]
    /// By window: the share of it with counted time.
    public var burnRateCoverage: [String: Double]
    public var alerts: [Alert]
    public var state: String
    public var alertLevel: String
    public var timeToExhaustionSeconds: Double?

    /// One burn-rate alert rule and where it stands.
    public struct Alert: Encodable, Sendable {
        public var rule: String
        public var severity: String
        public var longRate: Double
        public var shortRate: Double
        public var firing: Bool
    }

    public init(_ slo: UnitSLO) {
        let r = slo.report
        unit = slo.unit
        // A ratio, as `sli` is (0.999 for 99.9 %).
        objective = r.objective
        window = r.window
        sli = r.sli
        windowFilled = r.windowFilled
        observedSeconds = r.observedSeconds
        goodSeconds = r.totals.good
        badSeconds = r.totals.bad
        excludedSeconds = r.totals.excluded
        unknownSeconds = r.totals.unknown
        budgetSeconds = r.budgetSeconds
        consumedSeconds = r.consumedSeconds
        remainingSeconds = r.remainingSeconds
        remainingPercent = r.remainingPercent
        burnRates = Dictionary(r.burnRates.map { (FailureDescription.window($0.window), $0.hasData ? $0.rate : nil) }, uniquingKeysWith: { first, _ in first })
        burnRateCoverage = Dictionary(r.burnRates.map { (FailureDescription.window($0.window), $0.coverage) }, uniquingKeysWith: { first, _ in first })
        alerts = r.rules.map { Alert(rule: $0.rule.label, severity: $0.rule.severity.rawValue, longRate: $0.longRate, shortRate: $0.shortRate, firing: $0.firing) }
        state = r.state.rawValue
        alertLevel = r.alertLevel
        timeToExhaustionSeconds = r.timeToExhaustion
    }
}
