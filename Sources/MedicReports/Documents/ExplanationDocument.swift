import MedicCore
import MedicEngine

/// `medic explain --json` and `GET /api/v1/explain/{unit}`.
public struct ExplanationDocument: Encodable, Sendable {
    public var unit: String
    public var health: String
    public var reason: String
    public var signature: String
    public var protected: Bool
    public var budget: String?
    public var budgetRemainingPercent: Double?
    public var playbooks: [Candidate]
    public var systemd: [String]
    public var decision: String
    /// The unit's active probe, when it has one and the daemon runs it.
    public var probe: UnitReport.ProbeReport?
    /// The running daemon's own decision about the unit; nil when it is not running.
    public var medicRun: MedicRun?

    /// What the running daemon decided about the unit, and its global limits.
    public struct MedicRun: Encodable, Sendable {
        public var pid: Int32
        public var decision: String
        public var limits: CorrectionDecisions.Limits
    }

    /// A playbook that matches the unit, in the order Medic would try it.
    public struct Candidate: Encodable, Sendable {
        public var name: String
        public var priority: Int
        public var pinned: Bool
        public var trigger: String
        public var triggerMet: Bool
        public var attempts: Int
        public var successes: Int
        public var lowerBound: Double
        public var score: Double?
        public var suppressed: String?
        public var attemptsInWindow: Int
        public var maxAttempts: Int
        public var nextAllowed: String?
        public var quarantined: Bool
    }

    public init(_ inquiry: UnitInquiry) {
        let e = inquiry.explanation
        unit = e.unit
        health = e.health.rawValue
        reason = e.reason
        signature = e.signature.key
        protected = e.isProtected
        budget = inquiry.report?.state.rawValue
        budgetRemainingPercent = inquiry.report?.remainingPercent
        playbooks = e.candidates.map { c in
            Candidate(name: c.name, priority: c.priority, pinned: c.pinned, trigger: c.trigger.rawValue, triggerMet: c.triggerMet,
                      attempts: c.statistics.attempts, successes: c.statistics.successes, lowerBound: c.lowerBound, score: c.score,
                      suppressed: c.suppressed, attemptsInWindow: c.attempts, maxAttempts: c.maxAttempts,
                      nextAllowed: c.nextAllowed.map { Timestamp.rfc3339(seconds: $0) }, quarantined: c.quarantined)
        }
        systemd = inquiry.own.explanation
        decision = e.verdict
        probe = inquiry.probe.map(UnitReport.ProbeReport.init)
        medicRun = inquiry.live.map { MedicRun(pid: $0.pid, decision: $0.decision(about: e.unit), limits: $0.decisions.limits) }
    }
}
