import Logging
import MedicConfig
import MedicCore
import MedicStore
import ServiceLifecycle
import SystemdBus

/// The long-running supervisor behind `medic run`: watches units, records every change in the store,
/// and evaluates each unit's SLO, logging budget state changes. A graceful shutdown (SIGTERM, SIGINT)
/// writes everything pending and closes the session, so nothing observed is lost.
public struct SupervisorService: Service {
    public var watcher: UnitWatcher
    public var store: MedicStore
    public var configuration: MedicConfiguration
    public var logger: Logger
    public var clock: WallClock
    /// Seconds between writes of pending rows and session heartbeats.
    public var heartbeatInterval: Double = 2
    /// Seconds between SLO evaluations.
    public var evaluationInterval: Double = 5
    /// Called with each watch event after it is recorded (e.g. to print it).
    public var onEvent: @Sendable (WatchEvent) async -> Void = { _ in }
    /// Starts corrections from what is observed; nil to only watch and record.
    public var corrections: CorrectionService?
    /// How long a shutdown waits for running corrections to verify or roll back.
    public var correctionDrainTimeout: Double = 60

    public init(watcher: UnitWatcher, store: MedicStore, configuration: MedicConfiguration, logger: Logger, clock: WallClock = .system) {
        self.watcher = watcher
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        let configuration = self.configuration
        let recorder = TimelineRecorder(store: store, clock: clock) { configuration.watches($0) }
        try await recorder.start()
        try await corrections?.start()
        let monitor = BudgetMonitor(query: SLOQuery(store: store, configuration: configuration), logger: logger)
        do {
            try await cancelWhenGracefulShutdown { [self] in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await watch(into: recorder) }
                    group.addTask { try await tick(recorder: recorder, monitor: monitor) }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Shutting down.
        } catch {
            await corrections?.drain(timeout: correctionDrainTimeout)
            try? await Self.finish(recorder)
            throw error
        }
        if let corrections {
            let timeout = correctionDrainTimeout
            await Task { await corrections.drain(timeout: timeout) }.value
        }
        try await Self.finish(recorder)
        logger.notice("stopped; history written")
    }

    /// Writes what is pending and closes the session even when the surrounding task was cancelled
    /// (a cancelled task's database writes would be refused): the write runs in a task of its own.
    private static func finish(_ recorder: TimelineRecorder) async throws {
        try await Task { try await recorder.stop() }.value
    }

    private func watch(into recorder: TimelineRecorder) async throws {
        let logger = self.logger
        let corrections = self.corrections
        let clock = self.clock
        let onEvent = self.onEvent
        try await watcher.run { event in
            do {
                switch event {
                case .observed(let unit):
                    try await recorder.record(unit)
                    await corrections?.observe(unit)
                case .ready(let units), .reconnected(let units):
                    try await recorder.snapshotComplete()
                    logger.notice("watching \(units) units", metadata: ["medic.units": "\(units)"])
                case .connectionLost(let reason):
                    await recorder.connectionLost(at: clock.now())
                    logger.warning("lost the connection to systemd; reconnecting", metadata: ["medic.reason": "\(reason)"])
                case .transition(let t):
                    logger.info("\(t.unit): \(t.from?.rawValue ?? "new") -> \(t.to.rawValue): \(t.reason)", metadata: ["unit.name": "\(t.unit)", "unit.health": "\(t.to.rawValue)"])
                case .warning(let text):
                    logger.warning("\(text)")
                }
            } catch {
                logger.error("cannot record: \(error)")
            }
            await onEvent(event)
        }
    }

    private func tick(recorder: TimelineRecorder, monitor: BudgetMonitor) async throws {
        var sinceEvaluation = 0.0
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(heartbeatInterval))
            do {
                try await recorder.heartbeat()
                await corrections?.reconsider()
                sinceEvaluation += heartbeatInterval
                if sinceEvaluation >= evaluationInterval {
                    sinceEvaluation = 0
                    let now = clock.now()
                    let reports = try await monitor.evaluate(now: now)
                    await corrections?.budgetsChanged(reports)
                    try await store.prune(before: now - configuration.retention)
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.error("cannot write history: \(error)")
            }
        }
    }
}
