import Logging
import MedicCore
import SystemdBus

/// Keeps a live `HealthModel` of the selected units from systemd's bus signals and reports every
/// health transition.
///
/// It takes one snapshot (after subscribing, so no change falls between the two), then applies
/// PropertiesChanged, UnitNew and UnitRemoved as they arrive, re-reading a unit only when a signal
/// leaves it incomplete. Reloads and manager restarts trigger a fresh snapshot; a lost connection is
/// retried with backoff, and the snapshot taken on reconnecting reports what changed meanwhile.
public struct UnitWatcher: Sendable {
    public var address: BusAddress
    public var patterns: [UnitPattern]
    public var policy: HealthPolicy
    public var clock: WallClock
    public var logger: Logger
    /// Delay before the first reconnection attempt, doubled on each failure up to `maximumBackoff`.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maximumBackoff: Duration = .seconds(5)
    /// What active probes say of the units, folded into their snapshots; nil: no probes.
    public var probes: ProbeBoard?

    public init(address: BusAddress, patterns: [UnitPattern], policy: HealthPolicy = HealthPolicy(), clock: WallClock = .system, logger: Logger) {
        self.address = address
        self.patterns = patterns
        self.policy = policy
        self.clock = clock
        self.logger = logger
    }

    /// Keep trying when the very first connection fails (a service started before the bus is up),
    /// instead of throwing.
    public var retryFirstConnection = false

    /// Watches until the task is cancelled. Throws only when the very first connection fails (unless
    /// `retryFirstConnection`), so that a command can tell the operator the bus is unreachable
    /// instead of retrying forever.
    public func run(_ emit: @escaping @Sendable (WatchEvent) async -> Void) async throws(BusError) {
        var session = WatchSession(watcher: self, emit: emit)
        var backoff = initialBackoff
        var connectedOnce = false
        while !Task.isCancelled {
            do throws(BusError) {
                let bus = try BusConnection.open(address)
                defer { bus.close() }
                bus.keepChangedProperties(UnitSnapshot.healthProperties)
                // Signal batches go from the bus thread straight into the session's inputs.
                let (inputs, continuation) = AsyncStream.makeStream(of: WatchSession.Input.self)
                bus.deliverSignals { batch in continuation.yield(batch.map(WatchSession.Input.signals) ?? .closed) }
                try await session.connect(SystemdManager(bus: bus), first: !connectedOnce)
                connectedOnce = true
                backoff = initialBackoff
                await session.follow(inputs, continuation)
                if Task.isCancelled { return }
                await emit(.connectionLost(reason: "the bus connection closed"))
            } catch {
                if !connectedOnce && !retryFirstConnection { throw error }
                if connectedOnce {
                    await emit(.connectionLost(reason: error.description))
                } else {
                    await emit(.warning("cannot reach systemd yet (\(error.description)); retrying in \(backoff)"))
                }
            }
            logger.debug("reconnecting", metadata: ["bus.backoff": "\(backoff)"])
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }
}
