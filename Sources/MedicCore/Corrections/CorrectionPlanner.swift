/// Decides whether and how to correct a unit: pure, from the unit's state, its budget, the guards of
/// the playbooks that match it and the global limits. The engine carries the decision out.
public struct CorrectionPlanner: Sendable {
    public var playbooks: [Playbook]
    public var protection: ProtectionPolicy
    public var limits: CorrectionLimits
    /// Global dry-run (`medic run --dry-run`).
    public var dryRun: Bool
    /// An operator asked for a correction now (`medic heal`): triggers, cooldowns and backoffs are not
    /// waited for; quarantines and suppressions still hold.
    public var manual = false
    /// How learned outcomes order and suppress the matching playbooks.
    public var learning = LearningPolicy()
    /// Seconds past RestartSec= that a failed unit still counts as awaiting systemd's own restart.
    public var restartGrace: Double = 2

    public init(playbooks: [Playbook], protection: ProtectionPolicy = ProtectionPolicy(), limits: CorrectionLimits = CorrectionLimits(), dryRun: Bool = false) {
        self.playbooks = playbooks
        self.protection = protection
        self.limits = limits
        self.dryRun = dryRun
    }

    /// Everything the decision depends on besides the playbooks.
    public struct Situation: Sendable {
        public var unit: UnitHealth
        /// The unit's budget state; nil when it has no SLO figures yet.
        public var budget: BudgetState?
        /// The unit's recent journal lines, for `match.journal`; nil when not read.
        public var journal: [String]?
        /// The failure at hand; nil to take it from the unit and `journal`.
        public var signature: FailureSignature?
        /// What was learned from past corrections.
        public var statistics: LearnedStatistics
        /// Guard state per playbook name for this unit.
        public var guards: [String: GuardState]
        /// Whether a correction is already running on this unit.
        public var correctionRunning: Bool
        /// Corrections running across all units.
        public var runningCorrections: Int
        /// Start times of all corrections (for the per-minute limit).
        public var recentStarts: [Double]
        public var now: Double
        /// Why the unit waits for Medic to heal the failed unit it requires first (`DependencyRoot`).
        public var waitForDependency: String?

        public init(unit: UnitHealth, budget: BudgetState? = nil, journal: [String]? = nil, signature: FailureSignature? = nil, statistics: LearnedStatistics = LearnedStatistics(), guards: [String: GuardState] = [:], correctionRunning: Bool = false, runningCorrections: Int = 0, recentStarts: [Double] = [], now: Double) {
            self.unit = unit
            self.budget = budget
            self.journal = journal
            self.signature = signature
            self.statistics = statistics
            self.guards = guards
            self.correctionRunning = correctionRunning
            self.runningCorrections = runningCorrections
            self.recentStarts = recentStarts
            self.now = now
        }

        /// The failure signature the decision uses.
        public var failureSignature: FailureSignature {
            signature ?? FailureSignature(unit.snapshot, verdict: unit.verdict, journal: journal)
        }
    }

    /// The matching playbooks whose trigger holds and that may act on the unit as it is now, in the
    /// order they are tried: priority, then name.
    public func candidates(for s: Situation) -> [Playbook] {
        matching(s).filter { triggered($0.trigger, s) && actsOn(s.unit.verdict.health, $0) }
    }

    /// Only a failed unit is corrected, and a degraded one only by a playbook that asks for degraded
    /// units in `match.health`: a unit that is healthy, idle or unknown now is never acted on,
    /// whatever its budget says about its past.
    public func actsOn(_ health: Health, _ playbook: Playbook) -> Bool {
        switch health {
        case .failed: return true
        case .degraded: return playbook.match.health.contains(.degraded)
        default: return false
        }
    }

    /// The playbooks that match the unit, whether or not their trigger holds: priority, then name.
    public func matching(_ s: Situation) -> [Playbook] {
        playbooks
            .filter { $0.match.matches(s.unit, journal: s.journal) }
            .sorted { ($1.priority, $0.name) < ($0.priority, $1.name) }
    }

    /// The matching playbooks in the order they are tried for this failure: declared order adjusted by
    /// what was learned, suppressed ones last.
    public func ranked(for s: Situation) -> [LearningPolicy.Ranked] {
        learning.rank(candidates(for: s), signature: s.failureSignature.key, statistics: s.statistics)
    }

    public func decide(_ s: Situation) -> CorrectionDecision {
        let unit = s.unit.snapshot
        if protection.isProtected(unit.name) { return .none(reason: "\(unit.name) is protected: Medic never acts on it") }
        if s.correctionRunning { return .none(reason: "a correction is already running on \(unit.name)") }
        if unit.detailsPending { return .wait(until: nil, reason: "Medic has not read \(unit.name)'s details from systemd yet") }
        if let busy = SystemdActivity.busy(s.unit, now: s.now, restartGrace: restartGrace) { return .wait(until: nil, reason: busy) }
        if let dependency = s.waitForDependency { return .wait(until: nil, reason: dependency) }
        let verdict = s.unit.verdict
        if verdict.health != .failed && verdict.health != .degraded {
            return .none(reason: "\(unit.name) is \(verdict.health.rawValue) now (\(verdict.reason)): nothing to correct")
        }
        let signature = s.failureSignature
        let ranked = learning.rank(candidates(for: s), signature: signature.key, statistics: s.statistics)
        guard !ranked.isEmpty else { return .none(reason: "no playbook matches \(unit.name) (\(s.unit.verdict.text)) with its trigger met") }

        var earliest: (time: Double, reason: String)?
        var exhausted: [String] = []
        var passedOver: [String] = []
        for (index, entry) in ranked.enumerated() {
            let playbook = entry.playbook
            if unit.transient && playbook.stopsUnit {
                passedOver.append("\(playbook.name) would stop transient \(unit.name), which unloads it")
                continue
            }
            let state = s.guards[playbook.name] ?? GuardState()
            let rules = playbook.guardrails
            if state.isQuarantined || entry.suppressed != nil {
                if rules.onExhausted == .escalate && !state.escalated {
                    let why = entry.suppressed.map { "\(playbook.name) is \($0)" } ?? "\(playbook.name) used its \(rules.maxAttempts) attempts without a verified recovery"
                    return .escalate(unit: unit.name, playbook: playbook, reason: why)
                }
                exhausted.append(playbook.name)
                continue
            }
            let next = state.nextAllowed(rules)
            if !manual && s.now < next {
                if earliest == nil || next < earliest!.time {
                    earliest = (next, "\(playbook.name) may try again at \(Timestamp.rfc3339(seconds: next)) (cooldown and backoff)")
                }
                continue
            }
            let stats = entry.statistics
            let learned = stats.attempts == 0 ? "" : "; learned for \(signature.key): \(stats.successes) of \(stats.attempts) recovered"
            let reason = "\(playbook.name) (priority \(playbook.priority)\(playbook.pinned ? ", pinned" : "")) matches \(s.unit.verdict.text)" +
                (s.budget.map { "; budget \($0.rawValue)" } ?? "") + learned + passedOver.map { "; passed over: \($0)" }.joined()
            if playbook.notifiesOnly {
                // An escalation is for a unit whose corrections are exhausted, not merely waiting.
                if earliest != nil { continue }
                return .escalate(unit: unit.name, playbook: playbook, reason: reason)
            }
            if s.runningCorrections >= limits.maxConcurrent {
                return .wait(until: nil, reason: "\(s.runningCorrections) corrections are running (at most \(limits.maxConcurrent) at once)")
            }
            let lastMinute = s.recentStarts.filter { s.now - $0 < 60 }
            if lastMinute.count >= limits.maxPerMinute {
                return .wait(until: (lastMinute.min() ?? s.now) + 60, reason: "\(lastMinute.count) corrections started in the last minute (at most \(limits.maxPerMinute))")
            }
            var plan = CorrectionPlan(
                unit: unit.name,
                playbook: playbook,
                steps: playbook.steps.map(PlannedStep.init),
                alternatives: ranked.enumerated().filter { $0.offset != index && $0.element.suppressed == nil }.map(\.element.playbook.name),
                dryRun: dryRun || playbook.mode == .dryRun,
                reason: reason,
                signature: signature,
                rank: index + 1
            )
            plan.attempt = state.attempts(within: rules.window, now: s.now) + 1
            return .act(plan)
        }
        if let earliest { return .wait(until: earliest.time, reason: earliest.reason) }
        if exhausted.isEmpty, !passedOver.isEmpty { return .none(reason: passedOver.joined(separator: "; ")) }
        return .none(reason: "every matching playbook is quarantined or suppressed (\(exhausted.joined(separator: ", "))): Medic does not repeat them until a person lifts it")
    }

    /// Whether the trigger holds now (always, for a manual correction).
    public func triggered(_ trigger: Playbook.Trigger, _ s: Situation) -> Bool {
        if manual { return true }
        switch trigger {
        // A probe that keeps failing is a failure of the service, though systemd says it runs.
        case .failure: return s.unit.verdict.health == .failed || s.unit.verdict.cause == .probe
        case .fastBurn: return (s.budget ?? .ok) >= .breached
        case .slowBurn: return (s.budget ?? .ok) >= .warning
        case .exhausted: return s.budget == .exhausted
        }
    }
}
