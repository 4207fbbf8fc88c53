import MedicConfig
import Synchronization

/// The configuration `medic run` works with now; a reload replaces it as a whole. Parts that decide
/// which units are watched and how they are classified restart the watcher when they change.
public final class LiveConfiguration: Sendable {
    private struct State {
        var configuration: MedicConfiguration
        /// Counts the changes that need a new watcher.
        var generation = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state: Mutex<State>

    public init(_ configuration: MedicConfiguration) {
        state = Mutex(State(configuration: configuration))
    }

    public var current: MedicConfiguration { state.withLock { $0.configuration } }

    /// The current configuration with its watch generation.
    var currentWithGeneration: (MedicConfiguration, Int) { state.withLock { ($0.configuration, $0.generation) } }

    /// Puts a new configuration in use; returns whether the watcher must start over (the watched set
    /// or the health policy changed).
    @discardableResult
    public func replace(with configuration: MedicConfiguration) -> Bool {
        let woken: [CheckedContinuation<Void, Never>]? = state.withLock { s in
            let restart = s.configuration.watch != configuration.watch || s.configuration.ignore != configuration.ignore || s.configuration.health != configuration.health
            s.configuration = configuration
            guard restart else { return nil }
            s.generation += 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in woken ?? [] { waiter.resume() }
        return woken != nil
    }

    /// Returns once the watch generation is no longer `generation`, or the task is cancelled.
    func watchChanged(after generation: Int) async {
        let id = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.generation != generation || Task.isCancelled { return true }
                    s.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
