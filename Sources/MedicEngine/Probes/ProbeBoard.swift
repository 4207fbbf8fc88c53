import MedicCore
import Synchronization

/// Where the probe scheduler leaves what each unit's probes say, for the watcher to fold into the
/// unit's snapshot: a change wakes the watcher, which applies it among the bus signals, so a probe
/// verdict goes through the same model, timeline and corrections as everything systemd says.
public final class ProbeBoard: Sendable {
    private struct State {
        var states: [String: ProbeState] = [:]
        var changed: Set<String> = []
        var wake: (@Sendable () -> Void)?
        /// Counts changes, for `statesIfChanged`.
        var generation = 0
        var generationTaken = -1
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a unit's probe state (nil: it has no probes any more); wakes the watcher on a change.
    /// Returns whether it changed.
    @discardableResult
    public func publish(_ probe: ProbeState?, for unit: String) -> Bool {
        let (changed, wake) = state.withLock { state -> (Bool, (@Sendable () -> Void)?) in
            guard state.states[unit] != probe else { return (false, nil) }
            state.states[unit] = probe
            state.changed.insert(unit)
            state.generation += 1
            return (true, state.wake)
        }
        wake?()
        return changed
    }

    /// What the unit's probes say now.
    public func state(of unit: String) -> ProbeState? {
        state.withLock { $0.states[unit] }
    }

    /// Every unit's probe state, when any changed since the last call (the first call always gives
    /// them): the daemon writes them for `medic status` only then.
    func statesIfChanged() -> [String: ProbeState]? {
        state.withLock { state in
            guard state.generation != state.generationTaken else { return nil }
            state.generationTaken = state.generation
            return state.states
        }
    }

    /// The units whose probe state changed since the last call, with their states.
    func takeChanges() -> [(unit: String, probe: ProbeState?)] {
        state.withLock { state in
            defer { state.changed.removeAll() }
            return state.changed.sorted().map { ($0, state.states[$0]) }
        }
    }

    /// Who is woken on a change (the watcher of the current connection); nil: nobody.
    func onChange(_ wake: (@Sendable () -> Void)?) {
        let pending = state.withLock { state in
            state.wake = wake
            return !state.changed.isEmpty
        }
        if pending { wake?() }
    }
}
