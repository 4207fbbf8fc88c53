import MedicCore
import MedicStore

/// A recorded correction as `medic history --json` and `medic history show --json` print it.
struct CorrectionJSON: Encodable {
    var id: Int64
    var unit: String
    var playbook: String
    var outcome: String
    var dryRun: Bool
    var startedAt: String
    var endedAt: String?
    var trigger: String
    var signature: String
    var rank: Int
    var reason: String
    var alternatives: [String]
    var verification: String?
    var recoverySeconds: Double?
    /// Only in `history show`.
    var rolledBack: Bool?
    var steps: [Step]?
    var journal: [String]?

    struct Step: Encodable {
        var action: String
        var startedAt: String
        var endedAt: String
        var outcome: String
        var error: String?
        var rollback: Bool
    }

    init(_ c: StoredCorrection, steps: [StoredStep]? = nil) {
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
                     outcome: $0.outcome, error: $0.error, rollback: $0.isRollback)
            }
            journal = c.intent.journal
        }
    }
}
