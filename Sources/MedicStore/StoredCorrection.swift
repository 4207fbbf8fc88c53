/// One correction attempt as recorded: written as an open intent before the first change, closed
/// with its outcome after verification or rollback.
public struct StoredCorrection: Sendable, Equatable {
    public var id: Int64
    public var unit: String
    public var playbook: String
    public var reason: String
    /// The other matching playbooks, in the order they would have been tried.
    public var alternatives: [String]
    public var dryRun: Bool
    /// "open" until it ends; then recovered, rolled-back, failed, dry-run or escalated.
    public var state: String
    /// Seconds since the epoch.
    public var startedAt: Double
    public var endedAt: Double?
    public var verification: String?

    public var isOpen: Bool { state == "open" }

    public init(id: Int64, unit: String, playbook: String, reason: String, alternatives: [String], dryRun: Bool, state: String, startedAt: Double, endedAt: Double?, verification: String?) {
        self.id = id
        self.unit = unit
        self.playbook = playbook
        self.reason = reason
        self.alternatives = alternatives
        self.dryRun = dryRun
        self.state = state
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.verification = verification
    }
}

/// One step of a recorded correction.
public struct StoredStep: Sendable, Equatable {
    public var action: String
    public var startedAt: Double
    public var endedAt: Double
    public var outcome: String
    public var error: String?
    public var isRollback: Bool
    /// The property value the step replaced (set-property), so that it can be put back even after a crash.
    public var captured: UInt64?

    public init(action: String, startedAt: Double, endedAt: Double, outcome: String, error: String?, isRollback: Bool, captured: UInt64?) {
        self.action = action
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.error = error
        self.isRollback = isRollback
        self.captured = captured
    }
}
