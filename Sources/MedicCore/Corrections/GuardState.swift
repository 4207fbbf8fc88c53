/// What Medic remembers of one playbook's attempts on one unit: enough to apply the playbook's
/// cooldown, attempt limit, exponential backoff and quarantine. Pure value; the engine stores it.
public struct GuardState: Sendable, Equatable, Codable {
    /// Start times of attempts (seconds since the epoch), oldest first.
    public private(set) var attempts: [Double] = []
    public private(set) var lastAttemptEnd: Double?
    /// Failed attempts in a row; drives the backoff.
    public private(set) var consecutiveFailures = 0
    /// Set once the attempts ran out; only a person lifts it.
    public private(set) var quarantinedAt: Double?
    /// Whether the escalation for the current quarantine has been sent.
    public private(set) var escalated = false

    public init() {}

    /// Records an attempt that ran from `start` to `end`; `succeeded` when verification passed.
    public mutating func record(start: Double, end: Double, succeeded: Bool, guard rules: PlaybookGuard) {
        attempts.append(start)
        attempts.removeAll { end - $0 >= rules.window }
        lastAttemptEnd = end
        consecutiveFailures = succeeded ? 0 : consecutiveFailures + 1
        if !succeeded && attempts.count >= rules.maxAttempts { quarantinedAt = end }
    }

    /// The unit has been healthy since `since`: after `resetAfter` the backoff starts over.
    public mutating func observeHealthy(since: Double, now: Double, guard rules: PlaybookGuard) {
        if now - since >= rules.resetAfter { consecutiveFailures = 0 }
    }

    public mutating func markEscalated() {
        escalated = true
    }

    /// A person lifts the quarantine: attempts and backoff start over.
    public mutating func lift() {
        self = GuardState()
    }

    public var isQuarantined: Bool { quarantinedAt != nil }

    /// Attempts whose start lies within the window before `now`.
    public func attempts(within window: Double, now: Double) -> Int {
        attempts.reduce(0) { $0 + (now - $1 < window ? 1 : 0) }
    }

    /// The backoff after the failures so far: initial x 2^(failures - 1), capped; 0 with no failure.
    public func backoff(_ rules: PlaybookGuard) -> Double {
        guard consecutiveFailures > 0 else { return 0 }
        let doubled = rules.backoffInitial * Double(1 << min(consecutiveFailures - 1, 30))
        return min(doubled, rules.backoffMax)
    }

    /// The earliest time the next attempt may start: after the cooldown and the backoff.
    public func nextAllowed(_ rules: PlaybookGuard) -> Double {
        guard let end = lastAttemptEnd else { return -.infinity }
        return end + max(rules.cooldown, backoff(rules))
    }
}
