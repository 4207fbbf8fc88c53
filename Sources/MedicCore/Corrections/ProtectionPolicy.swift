/// Units Medic never acts on: what the system cannot lose (the bus, the journal, user managers,
/// slices, targets, init.scope), Medic itself, and whatever the operator adds.
public struct ProtectionPolicy: Sendable, Equatable {
    public static let builtIn: [UnitPattern] = [
        "dbus.service", "dbus.socket", "dbus-broker.service", "systemd-journald.service", "systemd-journald*.socket",
        "systemd-journald@*.service", "user@*.service", "*.slice", "*.target", "init.scope", "medic.service", "medic@*.service",
    ].map { try! UnitPattern($0) }

    public var extra: [UnitPattern]

    public init(extra: [UnitPattern] = []) {
        self.extra = extra
    }

    /// Whether Medic must never act on `unit` (asked for every observed unit: no array is built).
    public func isProtected(_ unit: String) -> Bool {
        Self.builtIn.contains { $0.matches(unit) } || extra.contains { $0.matches(unit) }
    }
}

/// Global limits on corrections, so that Medic never becomes a storm of its own.
public struct CorrectionLimits: Sendable, Equatable {
    /// Corrections running at once, across all units.
    public var maxConcurrent: Int
    /// Corrections started within any 60 s.
    public var maxPerMinute: Int
    /// When this many watched units begin failing together, the cause is likely shared: alert, do not act.
    public var massFailureCount: Int
    /// ... or this share (0...1) of the watched units.
    public var massFailureShare: Double
    /// Seconds a new failure is left to settle before Medic decides on it, so that a burst of failures
    /// beginning together is counted whole; failures beginning this close together form one burst.
    public var massFailureSettle: Double

    public init(maxConcurrent: Int = 2, maxPerMinute: Int = 10, massFailureCount: Int = 3, massFailureShare: Double = 0.4, massFailureSettle: Double = 2) {
        self.maxConcurrent = maxConcurrent
        self.maxPerMinute = maxPerMinute
        self.massFailureCount = massFailureCount
        self.massFailureShare = massFailureShare
        self.massFailureSettle = massFailureSettle
    }

    /// Whether `failing` units beginning together out of `watched` are a mass failure.
    public func isMassFailure(_ failing: Int, of watched: Int) -> Bool {
        failing >= massFailureCount || (watched > 0 && failing > 1 && Double(failing) / Double(watched) >= massFailureShare)
    }
}
