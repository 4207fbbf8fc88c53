/// The five health classes every unit falls into, worst first in `severity`.
public enum Health: String, Sendable, Codable, CaseIterable, Comparable {
    case healthy
    case degraded
    case failed
    case idle
    case unknown

    /// Larger is worse; used to sort units worst first.
    public var severity: Int {
        switch self {
        case .failed: return 4
        case .degraded: return 3
        case .unknown: return 2
        case .idle: return 1
        case .healthy: return 0
        }
    }

    public static func < (lhs: Health, rhs: Health) -> Bool { lhs.severity < rhs.severity }
}

/// What put a unit in its class beyond its plain state; a change of cause inside `degraded` or
/// `failed` (restarting -> flapping -> crash loop) is a transition worth reporting.
public enum HealthCause: String, Sendable, Codable {
    /// The unit's active/sub state alone.
    case state
    /// Between a crash and systemd's automatic restart.
    case restarting
    /// Restarting often (restarts in the flap window at or over the flapping threshold).
    case flapping
    /// Restarting so often that it counts as failed.
    case crashLoop = "crash-loop"
    /// Activating, deactivating or reloading for longer than allowed.
    case stuck
    /// Its start failed because a unit it requires failed (systemd says so only on the start job).
    case dependency
    /// Its active probe fails: systemd says it runs, but it does not serve.
    case probe
}

/// A unit's health class with the reason an operator reads, and when the verdict may change on its own.
public struct HealthVerdict: Sendable, Equatable {
    public var health: Health
    public var cause: HealthCause
    public var reason: String
    /// The verdict can change at this time without any event (a restart leaves the flap window,
    /// an activation becomes stuck); nil when only an event can change it.
    public var recheckAt: Double?

    public init(_ health: Health, _ reason: String, cause: HealthCause = .state, recheckAt: Double? = nil) {
        self.health = health
        self.cause = cause
        self.reason = reason
        self.recheckAt = recheckAt
    }

    /// The class and the reason as a person reads them, the class said once: "failed: signal SIGKILL"
    /// (the reason already names it), "healthy: running".
    public var text: String {
        reason.hasPrefix(health.rawValue + ": ") ? reason : "\(health.rawValue): \(reason)"
    }

    /// Whether going from `previous` to this verdict is a transition: the class changed, or the cause
    /// changed while the unit is degraded or failed.
    public func isTransition(from previous: HealthVerdict?) -> Bool {
        guard let previous else { return true }
        if previous.health != health { return true }
        return (health == .degraded || health == .failed) && previous.cause != cause
    }
}
