/// Delivery of alerts to one Alertmanager, as a pure state machine: what waits to be sent, when the
/// next attempt is due (exponential backoff after a failure, from 2 s up to `maximumBackoff`), and
/// whether a failure or a recovery is news worth one log line. Waiting alerts are kept by identity,
/// the latest version of each, so an outage of any length costs bounded memory.
public struct AlertDelivery: Sendable {
    public let maximumBackoff: Double
    private var waiting: [String: Alert] = [:]
    private var nextAttempt = -Double.infinity
    private var backoff = 0.0
    /// Whether the last attempt failed (the outage was logged).
    public private(set) var failing = false

    public init(maximumBackoff: Double = 60) {
        self.maximumBackoff = maximumBackoff
    }

    /// Queues alerts; a newer version of an alert replaces the one waiting.
    public mutating func enqueue(_ alerts: [Alert]) {
        for alert in alerts { waiting[alert.fingerprint] = alert }
    }

    /// The alerts to post now, or nothing when none wait or the backoff has not passed.
    public func due(now: Double) -> [Alert] {
        guard !waiting.isEmpty, now >= nextAttempt else { return [] }
        return waiting.values.sorted { $0.fingerprint < $1.fingerprint }
    }

    /// The post of `alerts` succeeded; returns true when it ends an outage (worth saying once).
    public mutating func delivered(_ alerts: [Alert]) -> Bool {
        for alert in alerts where waiting[alert.fingerprint] == alert { waiting[alert.fingerprint] = nil }
        backoff = 0
        nextAttempt = -.infinity
        defer { failing = false }
        return failing
    }

    /// The post failed at `now`; returns true when this starts an outage (worth saying once).
    public mutating func failed(now: Double) -> Bool {
        backoff = backoff == 0 ? 2 : min(maximumBackoff, backoff * 2)
        nextAttempt = now + backoff
        defer { failing = true }
        return !failing
    }

    /// How many alerts wait.
    public var waitingCount: Int { waiting.count }
}
