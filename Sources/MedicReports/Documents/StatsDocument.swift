import MedicCore

/// `medic stats --json` and `GET /api/v1/stats`: what was learned per playbook and failure signature
/// (or per playbook and unit), with the policy that judges it.
public struct StatsDocument: Encodable, Sendable {
    public var credibility: Double
    public var floor: Double
    public var minAttempts: Int
    public var statistics: [StatsJSON]

    public init(_ learned: LearnedStatistics, policy: LearningPolicy, playbook: String? = nil, byUnit: Bool = false) {
        var rows: [StatsJSON] = []
        if byUnit {
            for (key, stats) in learned.byUnit where playbook == nil || key.playbook == playbook {
                rows.append(StatsJSON(playbook: key.playbook, signature: nil, unit: key.unit, stats, policy: policy, suppressed: nil))
            }
        } else {
            for (key, stats) in learned.bySignature where playbook == nil || key.playbook == playbook {
                // The planner's own test (a pinned playbook is never suppressed: see `medic explain`).
                rows.append(StatsJSON(playbook: key.playbook, signature: key.signature, unit: nil, stats, policy: policy, suppressed: policy.isSuppressed(stats)))
            }
        }
        rows.sort { ($0.playbook, $0.signature ?? $0.unit ?? "") < ($1.playbook, $1.signature ?? $1.unit ?? "") }
        credibility = policy.credibility
        floor = policy.floor
        minAttempts = policy.minimumAttempts
        statistics = rows
    }
}

/// One row of `medic stats`.
public struct StatsJSON: Encodable, Sendable {
    public var playbook: String
    public var signature: String?
    public var unit: String?
    public var attempts: Int
    public var successes: Int
    public var rollbacks: Int
    public var successRate: Double?
    /// The posterior mean of the success probability (uniform prior).
    public var posteriorMean: Double
    public var lowerBound: Double
    public var recoveryP50: Double?
    public var recoveryP90: Double?
    public var suppressed: Bool?

    public init(playbook: String, signature: String?, unit: String?, _ stats: OutcomeStatistics, policy: LearningPolicy, suppressed: Bool?) {
        self.playbook = playbook
        self.signature = signature
        self.unit = unit
        attempts = stats.attempts
        successes = stats.successes
        rollbacks = stats.rollbacks
        successRate = stats.successRate
        posteriorMean = stats.posterior.mean
        lowerBound = stats.lowerBound(credibility: policy.credibility)
        recoveryP50 = stats.medianRecovery
        recoveryP90 = stats.p90Recovery
        self.suppressed = suppressed
    }
}
