import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicStore
import ServiceLifecycle
import SystemdBus

/// The long-running supervisor behind `medic run`: watches units, records every change in the store,
/// and evaluates each unit's SLO, logging budget state changes. A graceful shutdown (SIGTERM, SIGINT)
/// writes everything pending and closes the session, so nothing observed is lost. Under a Type=notify
/// unit it sends READY=1 once it has its first snapshot, keeps STATUS= current, pings the watchdog
/// from its heartbeat loop and sends STOPPING=1 when it shuts down.
public struct SupervisorService: Service {
    public var address: BusAddress
    public var store: MedicStore
    /// Replaced as a whole by a reload; a change of what is watched restarts the watcher.
    public var configuration: LiveConfiguration
    public var logger: Logger
    public var clock: WallClock
    /// Seconds between writes of pending rows and session heartbeats.
    public var heartbeatInterval: Double = 2
    /// Seconds between SLO evaluations, at least; an evaluation that took long (many units with
    /// long histories) spaces the next ones out so that they stay under 5 % of one core.
    public var evaluationInterval: Double = 5
    /// Called with each watch event after it is recorded (e.g. to print it).
    public var onEvent: @Sendable (WatchEvent) async -> Void = { _ in }
    /// Called with every unit's SLO report after each evaluation (e.g. for the dashboard's live feed).
    public var onEvaluation: @Sendable ([String: SLOReport]) async -> Void = { _ in }
    /// Starts corrections from what is observed; nil to only watch and record.
    public var corrections: CorrectionService?
    /// How long a shutdown waits for running corrections to verify or roll back.
    public var correctionDrainTimeout: Double = 60
    public var notifier = ServiceNotifier()
    /// Where the daemon's live state is written on every heartbeat (`DaemonState`); nil: nowhere.
    public var statePath: String?
    let status = SupervisorStatus()
    let recorder: TimelineRecorder
    let monitor: BudgetMonitor
    let startedAt: Double
    /// Every write of the daemon goes through here when the store may refuse it (a full disk).
    public let writes: HistoryWrites
    /// Runs the configured active probes (`probes:`) and feeds their verdicts to the watcher.
    public let probes: ProbeScheduler

    public init(address: BusAddress, store: MedicStore, configuration: LiveConfiguration, logger: Logger, clock: WallClock = .system, storePath: String = "") {
        self.address = address
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.writes = HistoryWrites(logger: logger, clock: clock, storePath: storePath)
        recorder = TimelineRecorder(store: store, clock: clock, availability: { configuration.current.availability }) { configuration.current.watches($0) }
        monitor = BudgetMonitor(logger: logger)
        startedAt = clock.now()
        probes = ProbeScheduler(clock: clock, rules: { configuration.current.probes }, onChange: { unit, probe in
            // Pending and paused are the unit's business (starting, stopped): said at debug level.
            guard let probe else { return }
            let level: Logger.Level = probe.status == .passing || probe.status == .failing ? .info : .debug
            logger.log(level: level, "\(unit): probe \(probe.summary)", metadata: ["unit.name": "\(unit)", "probe.status": "\(probe.status.rawValue)"])
        })
    }

    public func run() async throws {
        let startedAt = self.startedAt
        let recorder = self.recorder
        let monitor = self.monitor
        try await recorder.start()
        await corrections?.use(writes)
        try await corrections?.start()
        do {
            try await cancelWhenGracefulShutdown { [self] in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await watchLoop(into: recorder) }
                    group.addTask { try await tick(recorder: recorder, monitor: monitor, startedAt: startedAt) }
                    group.addTask { [probes] in await probes.run() }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            notifier.stopping()
        } catch {
            notifier.stopping()
            await corrections?.drain(timeout: correctionDrainTimeout)
            try? await Self.finish(recorder)
            throw error
        }
        if let corrections {
            let timeout = correctionDrainTimeout
            await Task { await corrections.drain(timeout: timeout) }.value
        }
        await writes.retry()
        try await Self.finish(recorder)
        await writeState(startedAt: startedAt, stopped: true, decisions: await corrections?.decisions())
        logger.notice("stopped; history written")
    }

    /// Writes what is pending and closes the session even when the surrounding task was cancelled
    /// (a cancelled task's database writes would be refused): the write runs in a task of its own.
    private static func finish(_ recorder: TimelineRecorder) async throws {
        try await Task { try await recorder.stop() }.value
    }

    /// Watches with the configured patterns and health policy; starts over when a reload changes them.
    private func watchLoop(into recorder: TimelineRecorder) async throws {
        while !Task.isCancelled {
            let (current, generation) = configuration.currentWithGeneration
            var configured = UnitWatcher(address: address, patterns: current.watch, policy: current.health, clock: clock, logger: logger)
            // Started by systemd (perhaps before the bus is up): wait for the bus rather than fail.
            configured.retryFirstConnection = notifier.isSupervised
            configured.probes = probes.board
            let watcher = configured
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await watch(watcher, into: recorder) }
                group.addTask { await configuration.watchChanged(after: generation) }
                try await group.next()
                group.cancelAll()
            }
            if !Task.isCancelled { logger.notice("the watched units or the health policy changed: watching anew") }
        }
    }

    private func watch(_ watcher: UnitWatcher, into recorder: TimelineRecorder) async throws {
        let logger = self.logger
        let status = self.status
        let notifier = self.notifier
        let corrections = self.corrections
        let clock = self.clock
        let onEvent = self.onEvent
        let writes = self.writes
        let probes = self.probes
        try await watcher.run { event in
            do {
                switch event {
                case .observed(let unit):
                    probes.observe(unit)
                    try await recorder.record(unit)
                    await corrections?.observe(unit)
                case .ready(let units):
                    logger.notice("watching \(units) units", metadata: ["medic.units": "\(units)"])
                case .settled(let units), .reconnected(let units):
                    // Every unit has its details: what the store had and systemd no longer lists was
                    // unloaded meanwhile, and interrupted corrections can be looked at.
                    try await recorder.snapshotComplete()
                    if case .reconnected = event { logger.notice("watching \(units) units", metadata: ["medic.units": "\(units)"]) }
                    else { logger.info("read the details of all \(units) units", metadata: ["medic.units": "\(units)"]) }
                    await corrections?.snapshotComplete()
                case .removed(let name):
                    probes.forget(name)
                    await recorder.forget(name)
                    logger.info("\(name) was unloaded by systemd: forgotten", metadata: ["unit.name": "\(name)"])
                    await corrections?.forget(name)
                case .connectionLost(let reason):
                    await recorder.connectionLost(at: clock.now())
                    logger.warning("lost the connection to systemd; reconnecting", metadata: ["medic.reason": "\(reason)"])
                case .transition(let t):
                    logger.info("\(t.unit): \(t.from?.rawValue ?? "new") -> \(HealthVerdict(t.to, t.reason).text)", metadata: ["unit.name": "\(t.unit)", "unit.health": "\(t.to.rawValue)"])
                case .warning(let text):
                    logger.warning("\(text)")
                }
            } catch {
                await writes.failed(error, doing: "recording unit states")
            }
            if await status.note(event) {
                notifier.ready(status: await status.text(runningCorrections: await corrections?.runningCount ?? 0))
            }
            await onEvent(event)
        }
    }

    /// The heartbeat: writes what is pending, lets corrections look again, evaluates SLOs, and then
    /// (having done that work) pings systemd's watchdog, at least twice per WatchdogSec.
    /// Writes the daemon's live state for `medic status` and `medic explain`.
    private func writeState(startedAt: Double, stopped: Bool = false, decisions: CorrectionDecisions?) async {
        guard let statePath else { return }
        let now = clock.now()
        let decisions = decisions ?? CorrectionDecisions(running: [], escalating: [], hold: nil, notCorrecting: [:], dependencyFailures: nil, limits: .init(CorrectionLimits()))
        let state = DaemonState(pid: getpid(), startedAt: startedAt, heartbeat: now, stoppedAt: stopped ? now : nil, watching: await status.watching, decisions: decisions)
        do {
            if let probed = probes.board.statesIfChanged() { try DaemonState.writeProbes(probed, beside: statePath) }
            try state.write(to: statePath)
        } catch {
            await writes.failed(error, doing: "writing \(statePath)")
        }
    }

    private func tick(recorder: TimelineRecorder, monitor: BudgetMonitor, startedAt: Double) async throws {
        let interval = min(heartbeatInterval, notifier.watchdogTimeout.map { $0 / 2 } ?? .infinity)
        var sinceEvaluation = 0.0
        var sinceTrim = 0.0
        var evaluationCost = 0.0
        var lastStatus = ""
        var dropped = 0
        var droppedSaidAt = -Double.infinity
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(interval))
            do {
                await writes.retry()
                try await recorder.heartbeat()
                await writes.succeeded()
                await corrections?.reconsider()
                sinceEvaluation += interval
                if sinceEvaluation >= max(evaluationInterval, evaluationCost * 20) {
                    sinceEvaluation = 0
                    let started = ContinuousClock.now
                    defer { evaluationCost = (ContinuousClock.now - started) / .seconds(1) }
                    let now = clock.now()
                    let current = configuration.current
                    let reports = try await monitor.evaluate(SLOQuery(store: store, configuration: current), now: now)
                    await corrections?.budgetsChanged(reports)
                    await onEvaluation(reports)
                    try await store.prune(before: now - current.retention)
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                await writes.failed(error, doing: "writing the history")
                await corrections?.reconsider()
                // Said at most once a minute, like the trouble itself.
                let given = await recorder.dropped
                if given > dropped, clock.now() - droppedSaidAt >= WriteTrouble.repeatEvery {
                    logger.error("the history store has refused writes for so long that \(given - dropped) unit state changes were given up (the oldest kept in memory)")
                    dropped = given
                    droppedSaidAt = clock.now()
                }
            }
            sinceTrim += interval
            if sinceTrim >= HeapTrim.interval {
                sinceTrim = 0
                HeapTrim.release()
            }
            let decisions = await corrections?.decisions()
            await writeState(startedAt: startedAt, decisions: decisions)
            notifier.watchdog()
            await status.beat(at: clock.now())
            let text = await status.text(runningCorrections: decisions?.running.count ?? 0, heldUnits: decisions?.hold?.units.count ?? 0)
            if text != lastStatus {
                notifier.status(text)
                lastStatus = text
            }
        }
    }

    /// Everything the daemon knows now, for the metrics and the alerts: the watched units' verdicts,
    /// availability counters and last SLO figures, and the correction service's decisions.
    public func figures() async -> DaemonFigures {
        let configuration = self.configuration.current
        // The watched set is matched once; SLO reports and counters only hold units that were watched
        // when they were made, so a reload that narrowed the set is applied by membership.
        var units: [String: UnitFigures] = [:]
        for (name, health) in await status.units where configuration.watches(name) { units[name] = UnitFigures(health: health) }
        for (name, totals) in await recorder.availabilityTotals() where units[name] != nil || configuration.watches(name) {
            units[name, default: UnitFigures()].totals = totals
        }
        for (name, report) in await monitor.reports where units[name] != nil || configuration.watches(name) {
            units[name, default: UnitFigures()].slo = report
        }
        return DaemonFigures(
            now: clock.now(), startedAt: startedAt, heartbeat: await status.heartbeat, units: units, watching: await status.watching,
            sloEvaluatedAt: await monitor.evaluatedAt, decisions: await corrections?.decisions(), corrections: await corrections?.facts()
        )
    }

    /// Notes a refused reload for STATUS= (nil once a reload succeeds).
    public func reloadRefused(_ problem: String?) async {
        await status.reloadRefused(problem)
    }
}
