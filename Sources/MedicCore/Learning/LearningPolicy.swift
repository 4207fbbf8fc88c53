#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Orders the playbooks that match a failure by what was learned of them, and suppresses those that
/// keep failing on it. Deterministic: the score is the posterior mean of the success probability plus
/// an exploration bonus that shrinks as a playbook is tried (UCB), so an untried playbook gets its
/// chance and a proven one wins; with nothing learned the declared priority decides. Pinned playbooks
/// keep their declared place and are never suppressed. Pure.
public struct LearningPolicy: Sendable, Equatable {
    /// Off: the declared priority alone decides, nothing is suppressed.
    public var enabled: Bool
    /// Credibility of the lower bound (one-sided): 0.9 means "at least this, with 90 % certainty".
    public var credibility: Double
    /// A playbook whose lower bound for a signature is under this...
    public var floor: Double
    /// ...after at least this many attempts on it is suppressed for that signature.
    public var minimumAttempts: Int
    /// Weight of the exploration bonus.
    public var exploration: Double

    public init(enabled: Bool = true, credibility: Double = 0.9, floor: Double = 0.1, minimumAttempts: Int = 3, exploration: Double = 0.5) {
        self.enabled = enabled
        self.credibility = credibility
        self.floor = floor
        self.minimumAttempts = minimumAttempts
        self.exploration = exploration
    }

    /// A matching playbook with what was learned of it for the failure at hand.
    public struct Ranked: Sendable, Equatable {
        public var playbook: Playbook
        public var statistics: OutcomeStatistics
        /// The ordering score (posterior mean + exploration bonus); nil for pinned playbooks.
        public var score: Double?
        public var lowerBound: Double
        /// Why it is not tried for this signature; nil when it may be.
        public var suppressed: String?
    }

    /// Whether a playbook with these statistics on a signature is kept from trying it again.
    public func isSuppressed(_ stats: OutcomeStatistics, pinned: Bool = false) -> Bool {
        enabled && !pinned && stats.attempts >= minimumAttempts && stats.lowerBound(credibility: credibility) < floor
    }

    /// Ranks `candidates` (in declared order: priority, then name) for a failure with `signature`:
    /// pinned playbooks first in declared order, then the others by score (declared order on ties),
    /// suppressed ones last.
    public func rank(_ candidates: [Playbook], signature: String, statistics: LearnedStatistics) -> [Ranked] {
        let learned = candidates.map { statistics.statistics(playbook: $0.name, signature: signature) }
        let total = learned.reduce(0) { $0 + $1.attempts }
        let entries = zip(candidates, learned).enumerated().map { index, pair in
            let (playbook, stats) = pair
            let bound = stats.lowerBound(credibility: credibility)
            var suppressed: String?
            if isSuppressed(stats, pinned: playbook.pinned) {
                suppressed = "suppressed for \(signature): \(stats.successes) of \(stats.attempts) attempts recovered; " +
                    "success is at least \(Self.percent(bound)) with \(Self.percent(credibility)) credibility, under the floor of \(Self.percent(floor))"
            }
            let bonus = exploration * (log(Double(total) + 1) / Double(stats.attempts + 1)).squareRoot()
            let score = playbook.pinned ? nil : stats.posterior.mean + bonus
            return (index: index, ranked: Ranked(playbook: playbook, statistics: stats, score: score, lowerBound: bound, suppressed: suppressed))
        }
        guard enabled else { return entries.map(\.ranked) }
        return entries.sorted { a, b in
            let groupA = a.ranked.playbook.pinned ? 0 : a.ranked.suppressed == nil ? 1 : 2
            let groupB = b.ranked.playbook.pinned ? 0 : b.ranked.suppressed == nil ? 1 : 2
            if groupA != groupB { return groupA < groupB }
            if let scoreA = a.ranked.score, let scoreB = b.ranked.score, abs(scoreA - scoreB) > 1e-12 { return scoreA > scoreB }
            return a.index < b.index
        }.map(\.ranked)
    }

    /// "12 %", "12.5 %".
    static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10)) %" : "\(tenths / 10) %"
    }
}
