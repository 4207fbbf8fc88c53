import MedicCore
import SystemdBus

/// Takes one snapshot of the selected units and classifies them, for `medic status`.
public struct StatusReader: Sendable {
    public var address: BusAddress
    public var patterns: [UnitPattern]
    public var policy: HealthPolicy
    public var clock: WallClock

    public init(address: BusAddress, patterns: [UnitPattern], policy: HealthPolicy = HealthPolicy(), clock: WallClock = .system) {
        self.address = address
        self.patterns = patterns
        self.policy = policy
        self.clock = clock
    }

    /// Every selected unit with its verdict, worst first.
    public func read() async throws(BusError) -> [UnitHealth] {
        let bus = try BusConnection.open(address)
        defer { bus.close() }
        let loaded = try await UnitSnapshotLoader(patterns: patterns, clock: clock).load(from: SystemdManager(bus: bus))
        var model = HealthModel(policy: policy)
        let now = clock.now()
        for unit in loaded { model.update(unit.snapshot, at: now) }
        _ = model.reevaluate(at: now, all: true)
        return model.units
    }
}
