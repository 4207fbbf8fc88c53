import MedicCore

/// What Medic writes before the first change of a correction: the unit, the playbook and why it was
/// chosen, and the failure as it was seen.
public struct CorrectionIntent: Sendable, Equatable {
    public var unit: String
    public var playbook: String
    public var reason: String
    /// The other matching playbooks, in the order they would have been tried.
    public var alternatives: [String]
    public var dryRun: Bool
    /// Seconds since the epoch.
    public var startedAt: Double
    /// `FailureSignature.key`.
    public var signature: String
    /// What set it off: the trigger with the budget state and burn rates, or "manual (medic heal)".
    public var trigger: String
    /// The chosen playbook's place among the matching ones (1 = first choice).
    public var rank: Int
    /// The unit's last journal lines when it was chosen, capped in size.
    public var journal: [String]

    public init(unit: String, playbook: String, reason: String, alternatives: [String] = [], dryRun: Bool = false, startedAt: Double,
                signature: String = "", trigger: String = "", rank: Int = 1, journal: [String] = []) {
        self.unit = unit
        self.playbook = playbook
        self.reason = reason
        self.alternatives = alternatives
        self.dryRun = dryRun
        self.startedAt = startedAt
        self.signature = signature
        self.trigger = trigger
        self.rank = rank
        self.journal = journal
    }
}

/// One correction attempt as recorded: written as an open intent before the first change, closed
/// with its outcome after verification or rollback.
public struct StoredCorrection: Sendable, Equatable {
    public var id: Int64
    public var intent: CorrectionIntent
    /// "open" until it ends; then recovered, rolled-back, failed, dry-run or escalated.
    public var state: String
    /// Seconds since the epoch.
    public var endedAt: Double?
    public var verification: String?
    /// From the start to the beginning of the healthy stretch that verified it.
    public var recoverySeconds: Double?

    public init(id: Int64, intent: CorrectionIntent, state: String, endedAt: Double?, verification: String?, recoverySeconds: Double? = nil) {
        self.id = id
        self.intent = intent
        self.state = state
        self.endedAt = endedAt
        self.verification = verification
        self.recoverySeconds = recoverySeconds
    }

    public var unit: String { intent.unit }
    public var playbook: String { intent.playbook }
    public var startedAt: Double { intent.startedAt }
    public var dryRun: Bool { intent.dryRun }
    public var isOpen: Bool { state == "open" }
    /// The state as an outcome; nil for a state this version does not know.
    public var outcome: CorrectionOutcome? { CorrectionOutcome(rawValue: state) }

    /// What the learning needs of it.
    public var past: PastCorrection {
        PastCorrection(unit: unit, playbook: playbook, signature: intent.signature, outcome: outcome ?? .open, startedAt: startedAt, endedAt: endedAt, recoverySeconds: recoverySeconds)
    }
}

/// Which corrections `MedicStore.corrections(_:)` returns; empty fields do not filter.
public struct CorrectionFilter: Sendable, Equatable {
    /// A unit name or glob (`*`, `?`, `[...]`).
    public var unit: String?
    public var playbook: String?
    /// Only corrections started at or after this time (seconds since the epoch).
    public var since: Double?
    public var outcome: String?
    public var openOnly = false
    public var limit = 100

    public init(unit: String? = nil, playbook: String? = nil, since: Double? = nil, outcome: String? = nil, openOnly: Bool = false, limit: Int = 100) {
        self.unit = unit
        self.playbook = playbook
        self.since = since
        self.outcome = outcome
        self.openOnly = openOnly
        self.limit = limit
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
