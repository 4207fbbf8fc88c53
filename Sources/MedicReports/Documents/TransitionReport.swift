import MedicCore

/// One health transition as `medic watch --json` prints it and the dashboard's live feed sends it.
public struct TransitionReport: Encodable, Sendable {
    public var time: String
    public var unit: String
    public var from: String?
    public var to: String
    public var cause: String
    public var reason: String
    public var activeState: String
    public var subState: String
    public var result: String?

    public init(_ t: HealthTransition) {
        time = Timestamp.rfc3339(seconds: t.time)
        unit = t.unit
        from = t.from?.rawValue
        to = t.to.rawValue
        cause = t.cause.rawValue
        reason = t.reason
        activeState = t.snapshot.activeState
        subState = t.snapshot.subState
        result = t.snapshot.result
    }

    // Keep "from": null in the JSON rather than omitting it.
    enum CodingKeys: String, CodingKey { case time, unit, from, to, cause, reason, activeState, subState, result }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(unit, forKey: .unit)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(cause, forKey: .cause)
        try c.encode(reason, forKey: .reason)
        try c.encode(activeState, forKey: .activeState)
        try c.encode(subState, forKey: .subState)
        try c.encodeIfPresent(result, forKey: .result)
    }
}
