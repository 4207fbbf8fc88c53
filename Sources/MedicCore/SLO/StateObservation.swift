/// One point of a unit's stored timeline: from `time` on, the unit was in this state (until the
/// next observation), or Medic could not see it (`isGap`).
public struct StateObservation: Sendable, Equatable, Codable {
    /// Seconds since the epoch.
    public var time: Double
    public var activeState: String
    public var subState: String
    public var health: Health
    public var isGap: Bool
    /// What put the unit in its class beyond its state (a failing probe); nil when not known.
    public var cause: HealthCause?

    public init(time: Double, activeState: String, subState: String, health: Health, cause: HealthCause? = nil) {
        self.time = time
        self.activeState = activeState
        self.subState = subState
        self.health = health
        self.cause = cause
        isGap = false
    }

    /// From `time` on Medic did not see the unit.
    public static func gap(at time: Double) -> StateObservation {
        var observation = StateObservation(time: time, activeState: "", subState: "", health: .unknown)
        observation.isGap = true
        return observation
    }
}
