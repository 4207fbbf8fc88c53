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

/// A unit's health class with the reason an operator reads, and when the verdict may change on its own.
public struct HealthVerdict: Sendable, Equatable {
    public var health: Health
    public var reason: String
    /// The verdict can change at this time without any event (a restart leaves the flap window,
    /// an activation becomes stuck); nil when only an event can change it.
    public var recheckAt: Double?

    public init(_ health: Health, _ reason: String, recheckAt: Double? = nil) {
        self.health = health
        self.reason = reason
        self.recheckAt = recheckAt
    }
}
