import MedicCore
import Synchronization
import SystemdBus

/// The state a `UnitWatcher` keeps across connections: the health model and the unit paths.
struct WatchSession {
    let watcher: UnitWatcher
    let emit: @Sendable (WatchEvent) async -> Void
    var model: HealthModel
    var paths: [String: String] = [:]  // object path -> unit name
    /// Units systemd unloaded while their unit file stays (nothing referenced them): kept as last
    /// seen, and read again when systemd loads them.
    var unloaded: Set<String> = []
    /// The main PID whose end was already looked up in the kernel's messages, by unit.
    var checkedPIDs: [String: UInt32] = [:]
    let kernel = KernelMessages()
    var manager: SystemdManager?
    let loader: UnitSnapshotLoader
    /// The listed units whose details are still to be read (first connection only).
    var details = DetailReadQueue()
    /// Whether `.settled` was reported (or made moot by a complete snapshot).
    var settled = false

    init(watcher: UnitWatcher, emit: @escaping @Sendable (WatchEvent) async -> Void) {
        self.watcher = watcher
        self.emit = emit
        model = HealthModel(policy: watcher.policy)
        loader = UnitSnapshotLoader(patterns: watcher.patterns, clock: watcher.clock)
    }

    /// Subscribes, snapshots, and reports: `.ready` the first time, else the transitions missed meanwhile.
    ///
    /// The first time, the units the patterns list are taken from the manager's list (one call) and
    /// READY is said at once; their details are read afterwards, while signals are followed (see
    /// `readDetails`). Plain unit names, and every later snapshot, are read in full before reporting.
    mutating func connect(_ manager: SystemdManager, first: Bool) async throws(BusError) {
        self.manager = manager
        try await manager.subscribe()
        if first {
            let located = try await loader.locate(from: manager)
            let loaded = try await loader.properties(of: located.loaded, from: manager)
            await reconcile(loaded, listed: located.listed, reportNew: false, manager: manager)
        } else {
            try await resnapshot(reportNew: true)
            settled = true  // `.reconnected` says what `.settled` would
        }
        await emit(first ? .ready(units: model.count) : .reconnected(units: model.count))
    }

    /// Reads every selected unit again and reconciles the model with it.
    mutating func resnapshot(reportNew: Bool) async throws(BusError) {
        guard let manager else { return }
        let loaded = try await loader.load(from: manager)
        await reconcile(loaded, listed: [], reportNew: reportNew, manager: manager)
    }

    /// Makes the model what the manager just said: `loaded` units in full, `listed` ones with their
    /// details pending (queued to be read); units in neither are checked and forgotten when gone.
    private mutating func reconcile(_ loaded: [UnitSnapshotLoader.Loaded], listed: [ListedUnit], reportNew: Bool, manager: SystemdManager) async {
        let now = watcher.clock.now()
        var present = Set(loaded.map(\.snapshot.name))
        for unit in listed { present.insert(unit.name) }
        var gone: [String] = []
        var kept: [String: String] = [:]
        unloaded.formIntersection(model.unitNames)
        for name in model.unitNames where !present.contains(name) {
            // Missing from this read but not confirmed gone (a reexec in progress, or unloaded with
            // its unit file still there): kept as it was.
            guard await Self.isGone(name, manager: manager) else {
                if let path = paths.first(where: { $0.value == name })?.key { kept[path] = name }
                continue
            }
            if await Self.isUnloadedOnly(name, manager: manager) {
                unloaded.insert(name)
                if let path = paths.first(where: { $0.value == name })?.key { kept[path] = name }
                continue
            }
            model.remove(name)
            checkedPIDs[name] = nil
            gone.append(name)
        }
        paths = kept
        // A complete snapshot leaves nothing pending: what the queue still holds is read anyway.
        if listed.isEmpty { details = DetailReadQueue() }
        var transitions: [HealthTransition] = []
        for unit in loaded {
            paths[unit.path] = unit.snapshot.name
            let snapshot = withEvidence(unit.snapshot)
            forgetPreliminary(snapshot.name)
            if let transition = model.update(snapshot, at: now), reportNew || transition.from != nil {
                transitions.append(transition)
            }
        }
        for unit in listed {
            paths[unit.objectPath] = unit.name
            let snapshot = UnitSnapshot(listed: unit)
            model.update(snapshot, at: now)
            details.add(unit.objectPath, urgent: snapshot.worthReadingFirst)
        }
        // Trigger descriptions (a timer's next elapse) depend on other units: settle them all.
        transitions += model.reevaluate(at: now, all: true)
        for transition in transitions.sorted(by: { $0.unit < $1.unit }) { await emit(.transition(transition)) }
        for name in gone.sorted() { await emit(.removed(name)) }
        for unit in model.units where !unit.snapshot.detailsPending { await emit(.observed(unit)) }
    }

    /// A unit known only from the list is forgotten before its first complete snapshot, so that this
    /// snapshot counts as its first sighting (a refinement of the list's verdict is not a transition).
    private mutating func forgetPreliminary(_ name: String) {
        if model.snapshot(of: name)?.detailsPending == true { model.remove(name) }
    }

    /// Sends the next reads of pending details; their replies come back among the signals. Says
    /// `.settled` once all are in.
    mutating func readDetails() async {
        guard let manager else { return }
        for path in details.next() where !manager.readPropertiesInOrder(of: path, keeping: UnitSnapshot.healthProperties) {
            return  // the connection is closing: the next one takes a complete snapshot
        }
        if details.isEmpty && !settled {
            settled = true
            await emit(.settled(units: model.count))
        }
    }

    /// Applies signal batches (which the connection yields into `inputs`) until the connection
    /// closes or the task is cancelled; time-dependent verdicts are rechecked through the same stream.
    mutating func follow(_ inputs: AsyncStream<Input>, _ continuation: AsyncStream<Input>.Continuation) async {
        let clock = watcher.clock
        let timer = RecheckTimer(continuation: continuation) { clock.now() }
        watcher.probes?.onChange { continuation.yield(.probed) }
        defer {
            timer.cancel()
            watcher.probes?.onChange(nil)
        }
        await readDetails()
        await withTaskCancellationHandler {
            for await input in inputs {
                switch input {
                case .signals(let batch):
                    do throws(BusError) {
                        try await apply(batch)
                    } catch {
                        if error.isDisconnect { return }
                        await emit(.warning(error.description))
                    }
                case .recheck:
                    for transition in model.reevaluate(at: watcher.clock.now()) {
                        await emit(.transition(transition))
                        if let unit = model.health(of: transition.unit) { await emit(.observed(unit)) }
                    }
                case .probed:
                    await applyProbes()
                case .closed:
                    return
                }
                await readDetails()
                timer.schedule(at: model.nextRecheck)
            }
        } onCancel: {
            continuation.finish()
        }
    }

    /// Folds what the probes say into the units' snapshots, like any change systemd reports.
    private mutating func applyProbes() async {
        guard let board = watcher.probes else { return }
        let now = watcher.clock.now()
        for (name, probe) in board.takeChanges() {
            guard let snapshot = model.snapshot(of: name), !snapshot.detailsPending, snapshot.probe != probe else { continue }
            await update(snapshot, at: now)  // `withEvidence` reads the board
        }
    }

    /// Applies one unit's new snapshot and reports what came of it. A unit whose details are pending
    /// is not reported as observed (nothing may record or act on it yet); its first complete snapshot
    /// is its first sighting, not a transition (changes after the listing came as signals).
    private mutating func update(_ snapshot: UnitSnapshot, at now: Double) async {
        let unit = withEvidence(snapshot)
        let firstComplete = !unit.detailsPending && model.snapshot(of: unit.name)?.detailsPending == true
        if firstComplete { model.remove(unit.name) }
        if let transition = model.update(unit, at: now), !firstComplete {
            await emit(.transition(transition))
        }
        if let unit = model.health(of: snapshot.name), !unit.snapshot.detailsPending { await emit(.observed(unit)) }
    }

    /// A unit with what Medic knows beyond its properties: a dependency failure of its last start,
    /// and, when systemd says it was killed by SIGKILL, the kernel's word on whether that was for
    /// memory (looked up once per main process). Both are kept across re-reads of the unit.
    mutating func withEvidence(_ snapshot: UnitSnapshot) -> UnitSnapshot {
        var unit = snapshot
        if let board = watcher.probes { unit.probe = board.state(of: unit.name) }
        // A re-read does not know what only a job said: the dependency failure stays until the unit runs again.
        if unit.dependencyFailure == nil, unit.activeState == "inactive", let previous = model.snapshot(of: unit.name),
           previous.startKey == unit.startKey, let dependency = previous.dependencyFailure {
            unit.dependencyFailure = dependency
        }
        guard OutOfMemoryEvidence.worthChecking(unit), let pid = unit.execMainPID else { return unit }
        if let previous = model.snapshot(of: unit.name), previous.execMainPID == pid, previous.outOfMemory { unit.outOfMemory = true }
        guard !unit.outOfMemory, checkedPIDs[unit.name] != pid else { return unit }
        checkedPIDs[unit.name] = pid
        unit.outOfMemory = OutOfMemoryEvidence.kernelKilled(pid: pid, in: kernel.recentKills())
        return unit
    }

    enum Input: Sendable {
        case signals([BusSignal])
        case recheck
        /// The probes said something new of some units (see `ProbeBoard`).
        case probed
        case closed
    }

    /// Applies one batch: property changes are merged per unit first and classified once, so the
    /// transient states of a restart cycle inside one batch do not become transitions.
    mutating func apply(_ batch: [BusSignal]) async throws(BusError) {
        var replies = 0
        defer { EventMetrics.busEvents.increment(by: batch.count - replies) }
        var changed: [String: UnitSnapshot] = [:]
        var changedPaths: [String: String] = [:]
        var order: [String] = []
        var refetch: Set<String> = []
        var removed: [(name: String, path: String)] = []
        var resnapshotNeeded = false
        var resubscribeNeeded = false
        var dependencyFailed: [String] = []
        for signal in batch {
            guard let event = ManagerEvent(signal: signal) else { continue }
            switch event {
            case .propertiesChanged(let path, _, let properties, let invalidated):
                guard let name = paths[path] ?? UnitObjectPath.unitName(of: path) else { continue }
                guard UnitPattern.any(watcher.patterns, match: name) else { continue }
                // Units not yet known are read on UnitNew, which systemd sends when it loads a unit;
                // reading one on a late PropertiesChanged could load a unit it just unloaded.
                guard var snapshot = changed[name] ?? model.snapshot(of: name) else { continue }
                snapshot.apply(properties, clock: watcher.clock)
                if changed[name] == nil { order.append(name) }
                changed[name] = snapshot
                changedPaths[name] = path
                if invalidated.contains(where: UnitSnapshot.healthProperties.contains) { refetch.insert(path) }
                // Changed while its details are still to be read: read them sooner.
                if snapshot.detailsPending { details.add(path, urgent: true) }
            case .propertiesRead(let path, let properties):
                // A details read, at its place among the signals: the unit's latest full state.
                replies += 1
                guard let name = paths[path], changed[name] != nil || model.snapshot(of: name) != nil else {
                    details.remove(path)
                    continue
                }
                guard let snapshot = UnitSnapshot(properties: properties, clock: watcher.clock), snapshot.name == name else {
                    // Not the unit it was read for (no Id, or another): read again, then said, never left silently pending.
                    if !details.failed(path) {
                        await emit(.warning("the details read for \(name) do not name it: Medic does not act on it until it changes"))
                    }
                    continue
                }
                details.finished(path)
                if changed[name] == nil { order.append(name) }
                changed[name] = snapshot
                changedPaths[name] = path
            case .propertiesUnreadable(let path, let errorName, let description):
                replies += 1
                guard let name = paths[path] else { details.remove(path); continue }
                if errorName == "org.freedesktop.DBus.Error.UnknownObject" {
                    details.remove(path)
                    removed.append((name, path))  // unloaded meanwhile: confirmed below like UnitRemoved
                } else if !details.failed(path) {
                    await emit(.warning("cannot read the details of \(name) (\(description)): Medic does not act on it until it changes"))
                }
            case .unitNew(let name, let path):
                if UnitPattern.any(watcher.patterns, match: name), model.snapshot(of: name) == nil || unloaded.contains(name), changed[name] == nil {
                    unloaded.remove(name)
                    refetch.insert(path)
                }
                removed.removeAll { $0.path == path }
            case .unitRemoved(let name, let path):
                // Applied after this batch's changes (its final inactive/dead is still reported);
                // re-reading it now would load it again.
                removed.append((name, path))
                refetch.remove(path)
            case .jobRemoved(_, _, let unit, let result):
                // systemd reports a start that failed on a required unit only on the job.
                if result == "dependency", UnitPattern.any(watcher.patterns, match: unit), !dependencyFailed.contains(unit) {
                    dependencyFailed.append(unit)
                }
            case .reloading(let active):
                if !active { resnapshotNeeded = true }
            case .managerAppeared:
                resubscribeNeeded = true
                resnapshotNeeded = true
            case .managerVanished:
                continue
            case .malformed(let description):
                await emit(.warning("unreadable signal: \(description)"))
            }
        }
        let now = watcher.clock.now()
        for name in order {
            guard var snapshot = changed[name] else { continue }
            if snapshot.failureIsInControlCommand, snapshot.controlFailure == nil, let manager, let path = changedPaths[name] {
                snapshot = try await loader.withControlDetail([.init(path: path, snapshot: snapshot)], from: manager).first?.snapshot ?? snapshot
            }
            await update(snapshot, at: now)
        }
        for name in dependencyFailed {
            guard var snapshot = model.snapshot(of: name), snapshot.activeState == "inactive", let manager else { continue }
            let path = paths.first(where: { $0.value == name })?.key
            snapshot.dependencyFailure = await DependencyLookup.failure(of: name, path: path, manager: manager, at: now)
            snapshot.hasJob = false  // the failed job is the one that just ended
            await update(snapshot, at: now)
        }
        for (name, path) in removed {
            // systemd also sends UnitRemoved for units it loads again at once (daemon-reload): only a
            // unit the manager says it no longer knows is forgotten. One it still has is read again,
            // and so is one it cannot answer about now (a reexec in progress): never a guess.
            guard let manager, await Self.isGone(name, manager: manager) else {
                refetch.insert(path)
                continue
            }
            // Unloaded because nothing referenced it, its unit file still there: it exists, as last seen.
            if await Self.isUnloadedOnly(name, manager: manager) {
                unloaded.insert(name)
                continue
            }
            model.remove(name)
            checkedPIDs[name] = nil
            paths[path] = nil
            details.remove(path)
            await emit(.removed(name))
        }
        if resubscribeNeeded, let manager { try await manager.resubscribe() }
        if resnapshotNeeded {
            try await resnapshot(reportNew: true)
            return
        }
        if !refetch.isEmpty, let manager {
            let loaded = try await loader.properties(of: Array(refetch), from: manager)
            let now = watcher.clock.now()
            for unit in loaded.sorted(by: { $0.snapshot.name < $1.snapshot.name })
            where UnitPattern.any(watcher.patterns, match: unit.snapshot.name) {
                paths[unit.path] = unit.snapshot.name
                details.remove(unit.path)
                await update(unit.snapshot, at: now)
            }
        }
    }
}

extension WatchSession {
    /// Whether the manager answers that it has no such unit loaded.
    static func isGone(_ name: String, manager: SystemdManager) async -> Bool {
        do {
            return try await manager.loadedUnitPath(name) == nil
        } catch {
            return false  // no answer (a reexec in progress) is not an answer that it is gone
        }
    }
}

extension WatchSession {
    /// Whether a unit the manager no longer has loaded still has its unit file (so it was unloaded,
    /// not removed); no answer counts as removed only when the manager answered about loading.
    static func isUnloadedOnly(_ name: String, manager: SystemdManager) async -> Bool {
        (try? await manager.hasUnitFile(name)) ?? false
    }
}

/// Wakes the watch loop when the earliest time-dependent verdict is due (no polling in between).
///
/// A cancelled `Task.sleep` keeps its memory until the time it was to end, so a sleep replaced at
/// every batch (a storm of flapping units moves the next recheck each time) once held about 2 MiB
/// for the ten minutes of the flap window. The timer therefore sleeps at most `longestSleep` at a
/// time, reading the deadline again after each, and is replaced only by an earlier deadline.
final class RecheckTimer: Sendable {
    /// The longest single sleep: what a replaced sleep can keep alive.
    static let longestSleep = 1.0

    private struct State {
        var deadline: Double?
        var task: Task<Void, Never>?
        /// Which task is the timer: one replaced or cancelled only finds out here.
        var generation = 0
    }

    private let continuation: AsyncStream<WatchSession.Input>.Continuation
    private let state = Mutex(State())
    private let clock: @Sendable () -> Double

    init(continuation: AsyncStream<WatchSession.Input>.Continuation, clock: @escaping @Sendable () -> Double) {
        self.continuation = continuation
        self.clock = clock
    }

    func schedule(at deadline: Double?) {
        state.withLock { state in
            guard state.deadline != deadline else { return }
            let earlier = deadline.map { new in state.deadline.map { new < $0 } ?? true } ?? false
            state.deadline = deadline
            // A later (or no) deadline is read by the running timer when its current sleep ends.
            guard state.task == nil || earlier else { return }
            state.task?.cancel()
            state.generation += 1
            let generation = state.generation
            state.task = deadline == nil ? nil : Task { [self] in await run(generation) }
        }
    }

    /// Sleeps in steps of at most `longestSleep` until the deadline in force has passed, then wakes
    /// the loop; ends when the deadline is withdrawn or another task became the timer.
    private func run(_ generation: Int) async {
        while true {
            let deadline = state.withLock { state -> Double?? in
                guard state.generation == generation else { return nil }
                if state.deadline == nil { state.task = nil }
                return .some(state.deadline)
            }
            guard let deadline, let deadline else { return }
            let remaining = deadline - clock()
            if remaining > 0 {
                do { try await Task.sleep(for: .seconds(min(remaining + 0.001, Self.longestSleep))) } catch { return }
                continue
            }
            let due = state.withLock { state -> Bool in
                guard state.generation == generation, state.deadline == deadline else { return false }
                state.deadline = nil
                state.task = nil
                return true
            }
            if due {
                continuation.yield(.recheck)
                return
            }
        }
    }

    func cancel() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
            state.deadline = nil
            state.generation += 1
        }
    }
}
