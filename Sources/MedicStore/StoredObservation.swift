import MedicCore

/// One row of a unit's timeline as stored: the state it entered at `observation.time`, with the
/// details an operator reviews later.
public struct StoredObservation: Sendable, Equatable {
    public var unit: String
    public var observation: StateObservation
    public var cause: String
    public var reason: String
    public var result: String?
    /// How the main process ended (CLD_* code: 1 exited, 2 killed, 3 dumped core).
    public var exitCode: Int32?
    /// Exit status, or the signal number when the main process was killed (see `exitCode`).
    public var exitStatus: Int32?
    public var invocationID: String?

    public init(unit: String, observation: StateObservation, cause: String = "", reason: String = "", result: String? = nil, exitCode: Int32? = nil, exitStatus: Int32? = nil, invocationID: String? = nil) {
        self.unit = unit
        self.observation = observation
        // The stored cause column is what a re-read gives the observation: the two never differ.
        if observation.cause == nil { self.observation.cause = HealthCause(rawValue: cause) }
        self.cause = cause
        self.reason = reason
        self.result = result
        self.exitCode = exitCode
        self.exitStatus = exitStatus
        self.invocationID = invocationID
    }
}

/// One run of the daemon: from its start to its last heartbeat (or its clean stop).
public struct StoredSession: Sendable, Equatable {
    public var id: Int64
    /// Seconds since the epoch.
    public var startedAt: Double
    public var lastSeenAt: Double
    public var stoppedAt: Double?

    public init(id: Int64, startedAt: Double, lastSeenAt: Double, stoppedAt: Double?) {
        self.id = id
        self.startedAt = startedAt
        self.lastSeenAt = lastSeenAt
        self.stoppedAt = stoppedAt
    }
}
