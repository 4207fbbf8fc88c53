import MedicCore
import MedicStore

/// Turns the watcher's observations into each unit's stored timeline: one row per change of state,
/// written in batches off the event path, with the time systemd itself gives for the change.
///
/// After a gap (Medic was not running, or lost the bus) a unit's first observation is reconciled
/// with its StateChangeTimestamp: if the unit has not changed since before the gap, the gap is
/// accounted in that state; otherwise the gap is stored as unknown up to the change. Gap time is
/// never silently counted as good.
public actor TimelineRecorder {
    private let store: MedicStore
    private let clock: WallClock
    private let accepts: @Sendable (String) -> Bool
    /// Rows are written once this many are waiting, or on `flush()`.
    private let batchSize = 256

    private var session: Int64?
    /// When this recorder started watching (its session began).
    private var startedAt: Double?
    private var gapStart: Double?
    private var reconciled: Set<String> = []
    private var last: [String: StoredObservation] = [:]
    private var buffer: [StoredObservation] = []
    /// The same observations as monotonic seconds per availability class, for the metrics.
    private var counters: AvailabilityCounters
    private let availability: @Sendable () -> AvailabilityPolicy

    public init(store: MedicStore, clock: WallClock = .system, availability: @escaping @Sendable () -> AvailabilityPolicy = { AvailabilityPolicy() },
                accepts: @escaping @Sendable (String) -> Bool) {
        self.store = store
        self.clock = clock
        self.accepts = accepts
        self.availability = availability
        counters = AvailabilityCounters(since: clock.now())
    }

    /// Each counted unit's cumulative good, bad, excluded and unknown seconds since Medic started.
    public func availabilityTotals() -> [String: TimeTotals] {
        let now = clock.now(), policy = availability()
        var totals: [String: TimeTotals] = [:]
        // Only units that were accepted are counted; `figures()` applies a reload's narrower watch set.
        for unit in counters.units { totals[unit] = counters.totals(of: unit, at: now, policy: policy) }
        return totals
    }

    /// systemd unloaded the unit: its counters end.
    public func forget(_ unit: String) {
        counters.forget(unit)
    }

    /// Every row goes through here, so that the counters see what the timeline stores.
    private func keep(_ stored: StoredObservation) {
        buffer.append(stored)
        counters.record(stored.unit, stored.observation, policy: availability())
    }

    /// Opens a session; the end of the previous one (its clean stop, else its last heartbeat) starts a gap.
    public func start() async throws {
        let previous = try await store.lastSession()
        last = try await store.latestObservations()
        gapStart = previous.map { $0.stoppedAt ?? $0.lastSeenAt }
        startedAt = clock.now()
        // A store that refuses writes (a full disk) must not keep Medic from watching: the session
        // is opened at a later heartbeat.
        session = try? await store.beginSession(at: clock.now())
    }

    /// The bus went away at `time`: what follows must be reconciled like a restart.
    public func connectionLost(at time: Double) {
        counters.lostSight(at: time, policy: availability())
        gapStart = min(gapStart ?? time, time)
        reconciled = []
    }

    /// Takes in one observation from the watcher.
    public func record(_ unit: UnitHealth) async throws {
        // Known only from the unit list: its timeline starts with its details.
        guard accepts(unit.name), !unit.snapshot.detailsPending else { return }
        let now = clock.now()
        let changedAt = unit.snapshot.stateChangeMicros.map { Double($0) / 1_000_000 }
        if !reconciled.contains(unit.name) {
            reconciled.insert(unit.name)
            reconcile(unit, changedAt: changedAt, now: now)
        } else if Self.key(unit) != last[unit.name].map(Self.key) {
            let previous = last[unit.name]?.observation.time ?? -.infinity
            var time = now
            if let changedAt, changedAt > previous, changedAt <= now { time = changedAt }
            append(unit, at: max(time, previous))
        }
        if buffer.count >= batchSize { try await flush() }
    }

    /// Keeps the backlog bounded while the store refuses writes.
    private func bound() {
        guard buffer.count > maximumBacklog else { return }
        let excess = buffer.count - maximumBacklog
        buffer.removeFirst(excess)
        dropped += excess
    }

    /// A snapshot is complete: units Medic had a timeline for but systemd no longer lists were
    /// unloaded meanwhile, which happens only to inactive units.
    public func snapshotComplete() async throws {
        let now = clock.now()
        for (name, previous) in last where !reconciled.contains(name) && accepts(name) && previous.observation.activeState != "inactive" {
            reconciled.insert(name)
            let observation = StateObservation(time: max(gapStart ?? now, previous.observation.time), activeState: "inactive", subState: "dead", health: .idle)
            keep(StoredObservation(unit: name, observation: observation, cause: "state", reason: "unloaded"))
            last[name] = buffer.last
        }
        gapStart = nil
        try await flush()
    }

    private func reconcile(_ unit: UnitHealth, changedAt: Double?, now: Double) {
        guard let previous = last[unit.name] else {
            // First sight ever: Medic vouches for nothing before it started watching, and from then
            // on for the state systemd says the unit has been in since its last change (a unit's
            // details may come in a little after start-up).
            let since = max(startedAt ?? now, changedAt ?? now)
            append(unit, at: min(since, now))
            return
        }
        guard let gapStart else {
            if Self.key(unit) != Self.key(previous) { append(unit, at: max(now, previous.observation.time)) }
            return
        }
        if let changedAt, changedAt <= gapStart {
            // Unchanged through the gap: systemd vouches for the whole of it.
            if Self.key(unit) != Self.key(previous) { append(unit, at: max(gapStart, previous.observation.time)) }
            return
        }
        let gapFrom = max(gapStart, previous.observation.time)
        keep(StoredObservation(unit: unit.name, observation: .gap(at: gapFrom), cause: "gap", reason: "Medic was not watching"))
        let since = changedAt.map { min(max($0, gapFrom), now) } ?? now
        append(unit, at: since)
    }

    private func append(_ unit: UnitHealth, at time: Double) {
        let s = unit.snapshot
        let stored = StoredObservation(
            unit: unit.name,
            observation: StateObservation(time: time, activeState: s.activeState, subState: s.subState, health: unit.verdict.health, cause: unit.verdict.cause),
            cause: unit.verdict.cause.rawValue,
            reason: unit.verdict.reason,
            result: s.result,
            exitCode: s.execMainCode,
            exitStatus: s.execMainStatus,
            invocationID: s.invocationID
        )
        keep(stored)
        last[unit.name] = stored
        bound()
    }

    /// Writes what is waiting. Rows the store refuses (a full disk) stay waiting for the next flush;
    /// beyond `maximumBacklog` the oldest are dropped, and the count of dropped rows is kept.
    public func flush() async throws {
        guard !buffer.isEmpty else { return }
        // Taken out before the write: rows recorded while it is under way (the actor is reentrant at
        // the await) stay behind the ones being written, and a second flush never writes these again.
        let rows = buffer
        buffer.removeAll(keepingCapacity: true)
        do {
            try await store.append(rows)
        } catch {
            buffer.insert(contentsOf: rows, at: 0)
            bound()
            throw error
        }
    }

    /// Rows kept in memory while the store refuses them (about 30 MB at most).
    let maximumBacklog = 100_000
    /// Rows given up because the store refused them for too long.
    public private(set) var dropped = 0

    /// Writes what is waiting and moves the session's "still running" mark.
    public func heartbeat() async throws {
        if session == nil { session = try await store.beginSession(at: clock.now()) }
        try await flush()
        if let session { try await store.heartbeat(session: session, at: clock.now()) }
    }

    /// Writes what is waiting and marks a clean stop.
    public func stop() async throws {
        try await flush()
        if let session { try await store.endSession(session, at: clock.now()) }
        session = nil
    }

    private static func key(_ unit: UnitHealth) -> String {
        "\(unit.snapshot.activeState)/\(unit.snapshot.subState)/\(unit.verdict.health.rawValue)/\(unit.verdict.cause.rawValue)"
    }

    private static func key(_ stored: StoredObservation) -> String {
        stored.observation.isGap ? "gap" : "\(stored.observation.activeState)/\(stored.observation.subState)/\(stored.observation.health.rawValue)/\(stored.cause)"
    }
}
