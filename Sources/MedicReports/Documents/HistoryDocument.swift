import MedicCore
import MedicStore

/// `medic history --json` and `GET /api/v1/history`: corrections, newest first.
public struct HistoryDocument: Encodable, Sendable {
    public var corrections: [CorrectionJSON]

    public init(_ corrections: [StoredCorrection]) {
        self.corrections = corrections.map { CorrectionJSON($0) }
    }
}

/// A recorded correction as `medic history --json` and `medic history show --json` print it.
public struct CorrectionJSON: Encodable, Sendable {
    public var id: Int64
    public var unit: String
    public var playbook: String
    public var outcome: String
    public var dryRun: Bool
    public var startedAt: String
    public var endedAt: String?
    public var trigger: String
    public var signature: String
    public var rank: Int
    public var reason: String
    public var alternatives: [String]
    public var verification: String?
    public var recoverySeconds: Double?
    /// Only in `history show`.
    public var rolledBack: Bool?
    public var steps: [Step]?
    public var journal: [String]?

    /// One step of the correction or of its rollback.
    public struct Step: Encodable, Sendable {
        public var action: String
        public var startedAt: String
        public var endedAt: String
        public var outcome: String
        public var error: String?
        public var rollback: Bool
        /// The value the step captured to undo itself with (a property's previous setting), if any.
        public var captured: UInt64?
    }

    public init(_ c: StoredCorrection, steps: [StoredStep]? = nil) {
        id = c.id
        unit = c.unit
        playbook = c.playbook
        outcome = c.state
        dryRun = c.dryRun
        startedAt = Timestamp.rfc3339(seconds: c.startedAt)
        endedAt = c.endedAt.map { Timestamp.rfc3339(seconds: $0) }
        trigger = c.intent.trigger
        signature = c.intent.signature
        rank = c.intent.rank
        reason = c.intent.reason
        alternatives = c.intent.alternatives
        verification = c.verification
        recoverySeconds = c.recoverySeconds
        if let steps {
            rolledBack = steps.contains { $0.isRollback && $0.outcome == "undone" }
            self.steps = steps.map {
                Step(action: $0.action, startedAt: Timestamp.rfc3339(seconds: $0.startedAt), endedAt: Timestamp.rfc3339(seconds: $0.endedAt),
                     outcome: $0.outcome, error: $0.error, rollback: $0.isRollback, captured: $0.captured)
            }
            journal = c.intent.journal
        }
    }
}
