/// What is known of a playbook's attempts on one failure signature (or one unit): counts, the Beta
/// posterior of its success probability, and its time to recover. Pure value.
public struct OutcomeStatistics: Sendable, Equatable {
    public private(set) var attempts = 0
    public private(set) var successes = 0
    public private(set) var rollbacks = 0
    /// Seconds to recover of each successful attempt, in the order they happened.
    public private(set) var recoveryTimes: [Double] = []

    public init() {}

    public var failures: Int { attempts - successes }

    /// Counts one attempt; outcomes that teach nothing (dry-run, escalation, open) are ignored.
    public mutating func record(_ outcome: CorrectionOutcome, recoverySeconds: Double?) {
        guard outcome.isLearnedFrom else { return }
        attempts += 1
        switch outcome {
        case .recovered:
            successes += 1
            if let recoverySeconds { recoveryTimes.append(recoverySeconds) }
        case .rolledBack:
            rollbacks += 1
        default:
            break
        }
    }

    /// The success probability's posterior under a uniform prior.
    public var posterior: BetaDistribution { BetaDistribution(successes: successes, failures: failures) }

    /// Successes over attempts; nil before the first attempt.
    public var successRate: Double? { attempts == 0 ? nil : Double(successes) / Double(attempts) }

    /// The success probability is at least this with the given credibility (one-sided).
    public func lowerBound(credibility: Double) -> Double {
        posterior.quantile(1 - credibility)
    }

    public var medianRecovery: Double? { Self.percentile(recoveryTimes, 0.5) }
    public var p90Recovery: Double? { Self.percentile(recoveryTimes, 0.9) }

    /// Nearest-rank percentile: the smallest value with at least `fraction` of the values at or under it.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
