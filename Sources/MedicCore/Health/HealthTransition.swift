/// A unit moving from one health class to another, or to another cause while degraded or failed
/// (`from` is nil the first time Medic sees a unit).
public struct HealthTransition: Sendable, Equatable {
    public var unit: String
    public var from: Health?
    public var to: Health
    public var cause: HealthCause
    public var reason: String
    /// Seconds since the epoch.
    public var time: Double
    public var snapshot: UnitSnapshot

    public init(unit: String, from: Health?, to verdict: HealthVerdict, time: Double, snapshot: UnitSnapshot) {
        self.unit = unit
        self.from = from
        self.to = verdict.health
        self.cause = verdict.cause
        self.reason = verdict.reason
        self.time = time
        self.snapshot = snapshot
    }
}

/// A unit's current snapshot with its verdict, as listed by `medic status`.
public struct UnitHealth: Sendable, Equatable {
    public var snapshot: UnitSnapshot
    public var verdict: HealthVerdict

    public init(snapshot: UnitSnapshot, verdict: HealthVerdict) {
        self.snapshot = snapshot
        self.verdict = verdict
    }

    public var name: String { snapshot.name }
}
