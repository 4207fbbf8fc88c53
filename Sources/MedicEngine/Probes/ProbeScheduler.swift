import MedicCore
import Synchronization

/// Runs the configured probes of the watched units, off the event path: `observe` only notes
/// whether a unit serves (cheap, under a lock), and `run` starts the probes that are due: at most
/// `parallelism` network probes and `execParallelism` programs at a time, one probe of a unit at a
/// time, the longest overdue first, and the first of each run jittered so that units seen together
/// are not probed together. Results go through `ProbeTracker`, and what they make of a unit goes to
/// the `ProbeBoard`.
public final class ProbeScheduler: Sendable {
    /// Probes under way at once, at most.
    public let parallelism: Int
    /// Exec probes (processes) under way at once, at most.
    public let execParallelism: Int
    public let board: ProbeBoard
    private let rules: @Sendable () -> [ProbeRule]
    private let clock: WallClock
    private let runner: @Sendable (ProbeSpec, String) async -> ProbeResult
    /// Told of every change of a unit's probe state (e.g. to log it).
    private let onChange: @Sendable (String, ProbeState?) -> Void

    private struct Serving: Equatable {
        var serves: Bool
        var run: String?
        var since: Double
    }

    private struct Probe {
        var tracker: ProbeTracker
        /// Added to the first probe of each run.
        var jitter: Double
        /// The first probe of the current run comes no sooner: when the run was first seen, plus the
        /// jitter (a unit that has run for days would otherwise be probed at once with all others).
        var notBefore = 0.0
        var inFlight = false

        /// When it is due; nil while paused.
        var at: Double? {
            // The first probe of a run (no result in a row yet) comes after its start grace and jitter.
            let first = tracker.passesInARow + tracker.failuresInARow == 0
            return tracker.nextProbe().map { first ? max($0, notBefore) : $0 }
        }
    }

    private struct State {
        var rulesInUse: [ProbeRule] = []
        var units: [String: Serving] = [:]
        private(set) var probes: [String: [Probe]] = [:]
        /// When each unit's next probe is due (none while paused or one is under way), so that a
        /// look for due probes does not go through every unit's probes.
        private(set) var due: [String: Double] = [:]
        /// Units seen since the last look for units the rules select.
        var fresh: Set<String> = []
        var inFlight = 0
        var execsInFlight = 0

        /// Replaces a unit's probes (nil: it has none), keeping `due` in step.
        mutating func set(_ name: String, _ unitProbes: [Probe]?) {
            probes[name] = unitProbes
            due[name] = unitProbes.flatMap { $0.contains(where: \.inFlight) ? nil : $0.compactMap(\.at).min() }
        }

        mutating func removeAllProbes() {
            probes = [:]
            due = [:]
        }
    }

    private let state = Mutex(State())

    public init(board: ProbeBoard = ProbeBoard(), parallelism: Int = 256, execParallelism: Int = 16, clock: WallClock = .system, rules: @escaping @Sendable () -> [ProbeRule],
                runner: (@Sendable (ProbeSpec, String) async -> ProbeResult)? = nil, onChange: @escaping @Sendable (String, ProbeState?) -> Void = { _, _ in }) {
        self.board = board
        self.onChange = onChange
        self.parallelism = parallelism
        self.execParallelism = execParallelism
        self.clock = clock
        self.rules = rules
        self.runner = runner ?? { spec, unit in await ProbeRunner.run(spec, unit: unit, now: { clock.now() }) }
    }

    /// Notes what systemd says of a unit: probes run only while it is active (not starting, reloading
    /// or stopping), each run of it judged afresh.
    public func observe(_ unit: UnitHealth) {
        let s = unit.snapshot
        let serving = Serving(serves: s.activeState == "active" && !s.detailsPending, run: s.startKey,
                              since: s.stateChangeMicros.map { Double($0) / 1_000_000 } ?? clock.now())
        let published = state.withLock { state -> (Bool, ProbeState?) in
            guard state.units[unit.name] != serving else { return (false, nil) }
            if state.units.updateValue(serving, forKey: unit.name) == nil { state.fresh.insert(unit.name) }
            guard state.probes[unit.name] != nil else { return (false, nil) }
            return (true, Self.apply(serving, to: unit.name, in: &state, now: clock.now()))
        }
        if published.0 { publish(published.1, for: unit.name) }
    }

    private func publish(_ probe: ProbeState?, for unit: String) {
        if board.publish(probe, for: unit) { onChange(unit, probe) }
    }

    /// A unit systemd unloaded: no more probes.
    public func forget(_ name: String) {
        state.withLock { state in
            state.units[name] = nil
            state.set(name, nil)
            state.fresh.remove(name)
        }
        publish(nil, for: name)
    }

    /// Starts due probes until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                adoptRules()
                let now = clock.now()
                let (due, next) = takeDue(at: now)
                for (unit, index, spec, run) in due {
                    group.addTask { [self] in
                        let result = await runner(spec, unit)
                        finish(unit, index: index, spec: spec, run: run, result: result)
                    }
                }
                // Sleeps at most a second, so that a new unit or a freed slot waits no longer, and
                // at least 50 ms: probes due meanwhile start together, not one look at all each.
                let wait = min(max((next ?? .infinity) - now, 0.05), 1)
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    /// Rebuilds the probes when the configured rules changed (a reload).
    private func adoptRules() {
        let current = rules()
        let changed = state.withLock { state -> [(String, ProbeState?)] in
            guard state.rulesInUse != current else { return [] }
            state.rulesInUse = current
            let before = Set(state.probes.keys)
            state.removeAllProbes()
            var published: [(String, ProbeState?)] = []
            for (name, serving) in state.units {
                let specs = ProbeRule.specs(of: name, in: current)
                if specs.isEmpty {
                    if before.contains(name) { published.append((name, nil)) }
                    continue
                }
                state.set(name, specs.map { Probe(tracker: ProbeTracker(spec: $0), jitter: Self.jitter(for: $0)) })
                published.append((name, Self.apply(serving, to: name, in: &state, now: clock.now())))
            }
            return published
        }
        for (name, probe) in changed { publish(probe, for: name) }
        newUnits()
    }

    /// Gives the units seen since the rules were adopted their probes.
    private func newUnits() {
        let published = state.withLock { state -> [(String, ProbeState?)] in
            var published: [(String, ProbeState?)] = []
            let fresh = state.fresh
            state.fresh = []
            for name in fresh where state.probes[name] == nil {
                guard let serving = state.units[name] else { continue }
                let specs = ProbeRule.specs(of: name, in: state.rulesInUse)
                guard !specs.isEmpty else { continue }
                state.set(name, specs.map { Probe(tracker: ProbeTracker(spec: $0), jitter: Self.jitter(for: $0)) })
                published.append((name, Self.apply(serving, to: name, in: &state, now: clock.now())))
            }
            return published
        }
        for (name, probe) in published { publish(probe, for: name) }
    }

    private static func jitter(for spec: ProbeSpec) -> Double {
        Double.random(in: 0..<min(spec.interval, 10))
    }

    private static func apply(_ serving: Serving, to name: String, in state: inout State, now: Double) -> ProbeState? {
        guard var probes = state.probes[name] else { return nil }
        for index in probes.indices {
            let before = (probes[index].tracker.run, probes[index].tracker.servingSince)
            probes[index].tracker.unit(serves: serving.serves, run: serving.run, since: serving.since)
            let after = (probes[index].tracker.run, probes[index].tracker.servingSince)
            if after.1 != nil, before != after { probes[index].notBefore = now + probes[index].jitter }
        }
        state.set(name, probes)
        return ProbeState.combined(probes.map(\.tracker.state))
    }

    /// The probes due now (marked in flight, within the free slots), and when the next one is due.
    /// The longest overdue go first, so that when probes are more than the slots allow (endpoints
    /// that all time out) every unit still gets its turn, later.
    private func takeDue(at now: Double) -> ([(String, Int, ProbeSpec, String?)], Double?) {
        state.withLock { state in
            var candidates: [(at: Double, name: String, index: Int)] = []
            var next: Double?
            for (name, at) in state.due {
                guard at <= now else {
                    next = min(next ?? at, at)
                    continue
                }
                for (index, probe) in state.probes[name, default: []].enumerated() {
                    // One probe of a unit at a time: its probes check one service.
                    if let at = probe.at, at <= now { candidates.append((at, name, index)) }
                }
            }
            var due: [(String, Int, ProbeSpec, String?)] = []
            var started: Set<String> = []
            for candidate in candidates.sorted(by: { $0.at < $1.at }) where !started.contains(candidate.name) {
                let probe = state.probes[candidate.name]![candidate.index]
                let exec = probe.tracker.spec.kind.isExec
                guard exec ? state.execsInFlight < execParallelism : state.inFlight < parallelism else {
                    next = now  // waits for a slot
                    continue
                }
                started.insert(candidate.name)
                var unitProbes = state.probes[candidate.name]!
                unitProbes[candidate.index].inFlight = true
                state.set(candidate.name, unitProbes)
                if exec { state.execsInFlight += 1 } else { state.inFlight += 1 }
                due.append((candidate.name, candidate.index, probe.tracker.spec, probe.tracker.run))
            }
            return (due, next)
        }
    }

    private func finish(_ name: String, index: Int, spec: ProbeSpec, run: String?, result: ProbeResult) {
        let published = state.withLock { state -> ProbeState?? in
            if spec.kind.isExec { state.execsInFlight -= 1 } else { state.inFlight -= 1 }
            // Rebuilt by a reload meanwhile: the probe at this place may be another.
            guard var probes = state.probes[name], probes.indices.contains(index), probes[index].tracker.spec == spec else { return nil }
            probes[index].inFlight = false
            // A result about another run of the unit (it restarted meanwhile) says nothing of this one.
            if probes[index].tracker.run == run { probes[index].tracker.record(result) }
            state.set(name, probes)
            return .some(ProbeState.combined(probes.map(\.tracker.state)))
        }
        if let published { publish(published, for: name) }
    }
}
