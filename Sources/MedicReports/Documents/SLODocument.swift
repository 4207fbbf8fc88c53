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

    private enum CodingKeys: String, CodingKey {
        case unit, objective, window, sli, windowFilled, observedSeconds, goodSeconds, badSeconds, excludedSeconds, unknownSeconds
        case budgetSeconds, consumedSeconds, remainingSeconds, remainingPercent, burnRates, burnRateCoverage, alerts, state, alertLevel
        case timeToExhaustionSeconds
    }

    /// A window's label as a key.
    private struct WindowKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The document the synthesized conformance would write, through the encoder's typed calls: a
    /// generic value (an optional, a dictionary's values) costs the encoder a run of dynamic casts,
    /// which set the time of `medic slo --json` over thousands of units.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(unit, forKey: .unit)
        try c.encode(objective, forKey: .objective)
        try c.encode(window, forKey: .window)
        try c.encodeIfPresent(sli, forKey: .sli)
        try c.encode(windowFilled, forKey: .windowFilled)
        try c.encode(observedSeconds, forKey: .observedSeconds)
        try c.encode(goodSeconds, forKey: .goodSeconds)
        try c.encode(badSeconds, forKey: .badSeconds)
        try c.encode(excludedSeconds, forKey: .excludedSeconds)
        try c.encode(unknownSeconds, forKey: .unknownSeconds)
        try c.encode(budgetSeconds, forKey: .budgetSeconds)
        try c.encode(consumedSeconds, forKey: .consumedSeconds)
        try c.encode(remainingSeconds, forKey: .remainingSeconds)
        try c.encode(remainingPercent, forKey: .remainingPercent)
        var rates = c.nestedContainer(keyedBy: WindowKey.self, forKey: .burnRates)
        for (window, rate) in burnRates {
            if let rate { try rates.encode(rate, forKey: WindowKey(stringValue: window)) } else { try rates.encodeNil(forKey: WindowKey(stringValue: window)) }
        }
        var coverage = c.nestedContainer(keyedBy: WindowKey.self, forKey: .burnRateCoverage)
        for (window, share) in burnRateCoverage { try coverage.encode(share, forKey: WindowKey(stringValue: window)) }
        var list = c.nestedUnkeyedContainer(forKey: .alerts)
        for alert in alerts { try alert.encode(into: &list) }
        try c.encode(state, forKey: .state)
        try c.encode(alertLevel, forKey: .alertLevel)
        try c.encodeIfPresent(timeToExhaustionSeconds, forKey: .timeToExhaustionSeconds)
    }
}

extension SLOJSON.Alert {
    private enum CodingKeys: String, CodingKey { case rule, severity, longRate, shortRate, firing }

    /// Written as a nested container: see `SLOJSON.encode(to:)`.
    func encode(into list: inout any UnkeyedEncodingContainer) throws {
        var c = list.nestedContainer(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(severity, forKey: .severity)
        try c.encode(longRate, forKey: .longRate)
        try c.encode(shortRate, forKey: .shortRate)
        try c.encode(firing, forKey: .firing)
    }
}
