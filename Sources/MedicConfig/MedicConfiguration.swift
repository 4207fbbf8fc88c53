import MedicCore

/// Everything an operator configures in medic.yaml, with the defaults that apply without a file.
public struct MedicConfiguration: Sendable, Equatable {
    /// Units to watch (globs or names).
    public var watch: [UnitPattern]
    /// Units never watched, even when `watch` matches them.
    public var ignore: [UnitPattern]
    public var health: HealthPolicy
    public var availability: AvailabilityPolicy
    public var slo: SLOPolicy
    /// Seconds of raw history to keep; never less than the longest SLO window.
    public var retention: Double
    /// Units never corrected, beyond the built-in ones.
    public var protection: ProtectionPolicy
    public var limits: CorrectionLimits
    /// How learned outcomes order and suppress playbooks.
    public var learning = LearningPolicy()
    /// Metrics endpoint, textfile and alert delivery.
    public var export = ExportSettings()
    /// Active health checks of units (`probes:`), in the order declared.
    public var probes: [ProbeRule] = []

    public init(
        watch: [UnitPattern] = MedicConfiguration.defaultWatch,
        ignore: [UnitPattern] = [],
        health: HealthPolicy = HealthPolicy(),
        availability: AvailabilityPolicy = AvailabilityPolicy(),
        slo: SLOPolicy = SLOPolicy(),
        retention: Double? = nil,
        protection: ProtectionPolicy = ProtectionPolicy(),
        limits: CorrectionLimits = CorrectionLimits()
    ) {
        self.watch = watch
        self.ignore = ignore
        self.health = health
        self.availability = availability
        self.slo = slo
        self.retention = max(retention ?? 0, slo.longestWindow)
        self.protection = protection
        self.limits = limits
    }

    /// By default every service is watched.
    public static let defaultWatch: [UnitPattern] = [try! UnitPattern("*.service")]

    /// Whether a unit is watched: matched by `watch` and not by `ignore`.
    public func watches(_ unit: String) -> Bool {
        UnitPattern.any(watch, match: unit) && !ignore.contains { $0.matches(unit) }
    }
}
