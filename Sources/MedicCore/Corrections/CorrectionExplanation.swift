/// Why Medic would or would not act on a unit now, in full: its failure signature, every matching
/// playbook in learned order with its estimates and guard state, protection, and the decision the
/// daemon would take. Built purely from the planner and the situation; `medic explain` prints it.
public struct CorrectionExplanation: Sendable, Equatable {
    /// One matching playbook as Medic sees it for this unit and failure.
    public struct Candidate: Sendable, Equatable {
        public var name: String
        public var priority: Int
        public var pinned: Bool
        public var trigger: Playbook.Trigger
        public var triggerMet: Bool
        /// For this failure signature.
        public var statistics: OutcomeStatistics
        public var lowerBound: Double
        /// The learned ordering score; nil when pinned.
        public var score: Double?
        public var suppressed: String?
        /// Attempts on this unit within the guard's window, and how many it allows.
        public var attempts: Int
        public var maxAttempts: Int
        /// The earliest time another attempt may start (cooldown and backoff); nil when it may now.
        public var nextAllowed: Double?
        public var backoff: Double
        public var quarantined: Bool
    }

    public var unit: String
    public var health: Health
    public var reason: String
    public var signature: FailureSignature
    public var isProtected: Bool
    /// In the order they would be tried.
    public var candidates: [Candidate]
    public var decision: CorrectionDecision

    public init(planner: CorrectionPlanner, situation s: Situation) {
        unit = s.unit.name
        health = s.unit.verdict.health
        reason = s.unit.verdict.reason
        signature = s.failureSignature
        isProtected = planner.protection.isProtected(s.unit.name)
        let ranked = planner.learning.rank(planner.matching(s), signature: signature.key, statistics: s.statistics)
        candidates = ranked.map { entry in
            let rules = entry.playbook.guardrails
            let state = s.guards[entry.playbook.name] ?? GuardState()
            let next = state.nextAllowed(rules)
            return Candidate(
                name: entry.playbook.name, priority: entry.playbook.priority, pinned: entry.playbook.pinned, trigger: entry.playbook.trigger,
                triggerMet: planner.triggered(entry.playbook.trigger, s), statistics: entry.statistics, lowerBound: entry.lowerBound,
                score: entry.score, suppressed: entry.suppressed, attempts: state.attempts(within: rules.window, now: s.now),
                maxAttempts: rules.maxAttempts, nextAllowed: next > s.now ? next : nil, backoff: state.backoff(rules), quarantined: state.isQuarantined
            )
        }
        decision = planner.decide(s)
    }

    public typealias Situation = CorrectionPlanner.Situation

    /// The decision in one line: "would act: ...", "would wait: ...", "would not act: ...".
    public var verdict: String {
        switch decision {
        case .act(let plan): return "would act: \(plan.reason)\(plan.dryRun ? " (dry-run)" : "")"
        case .escalate(_, let playbook, let reason): return "would escalate with \(playbook.name)'s notify steps: \(reason)"
        case .wait(let until, let reason):
            let time = until.map { Timestamp.rfc3339(seconds: $0) }
            return "would wait: \(reason)" + (time.map { reason.contains($0) ? "" : " (until \($0))" } ?? "")
        case .none(let reason): return "would not act: \(reason)"
        }
    }
}
