import Logging
import MedicCore
import Synchronization
import SystemdBus

/// Checks that a unit stays healthy without interruption for a while, within a deadline, from the
/// manager's signals (a watcher on that one unit), so verification needs no polling.
public struct HealthVerifier: Sendable {
    public var address: BusAddress
    public var clock: WallClock
    public var logger: Logger

    public init(address: BusAddress, clock: WallClock = .system, logger: Logger) {
        self.address = address
        self.clock = clock
        self.logger = logger
    }

    /// The outcome and a sentence for the history (see `VerificationTracker` for the rules).
    /// - Parameter progress: called about every second with where verification stands ("healthy for
    ///   12s of 30s"), for a terminal.
    public func verify(_ request: VerificationRequest, progress report: (@Sendable (String) -> Void)? = nil) async -> (verified: Bool, detail: String) {
        guard let pattern = try? UnitPattern(request.unit) else { return (false, "invalid unit name \(request.unit)") }
        let clock = self.clock
        let progress = Progress(VerificationTracker(request, began: clock.now()))
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self)
        let watcher = UnitWatcher(address: address, patterns: [pattern], clock: clock, logger: logger)
        func wakeAt(_ time: Double) {
            let delay = max(0, time - clock.now()) + 0.01
            progress.timer.withLock { task in
                task?.cancel()
                task = Task {
                    do { try await Task.sleep(for: .seconds(delay)) } catch { return }
                    wake.yield()
                }
            }
        }
        // The watcher runs on its own and is cancelled, never awaited, at the end: verification ends by
        // its deadline whatever the bus does (a watcher reconnecting to a lost bus must not hold it).
        let watching = Task {
            do {
                try await watcher.run { event in
                    switch event {
                    case .observed(let health) where health.name == pattern.text:
                        let now = clock.now()
                        progress.tracker.withLock { $0.observe(health, at: now) }
                    case .connectionLost(let reason):
                        progress.tracker.withLock { $0.connectionLost(reason) }
                    default:
                        return
                    }
                    wake.yield()
                }
            } catch {
                progress.tracker.withLock { $0.cannotWatch("\(error)") }
            }
        }
        defer { watching.cancel() }
        return await withTaskGroup(of: Void.self) { group in
            wakeAt(clock.now() + request.within)
            if report != nil {
                group.addTask {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: .seconds(1)) } catch { return }
                        wake.yield()
                    }
                }
            }
            var outcome = (false, "")
            for await _ in wakes {
                let now = clock.now()
                let tracker = progress.tracker.withLock { $0 }
                switch tracker.outcome(at: now) {
                case .verified(let detail):
                    outcome = (true, detail)
                case .notVerified(let detail):
                    outcome = (false, detail)
                case .pending(let until):
                    if let report {
                        let left = FailureDescription.duration(max(0, tracker.began + request.within - now))
                        if let since = tracker.healthySince {
                            report("healthy for \(FailureDescription.duration(now - since)) of \(FailureDescription.duration(request.healthyFor)) (\(left) left)")
                        } else {
                            report("waiting for \(request.unit) to be healthy: \(tracker.last) (\(left) left)")
                        }
                    }
                    wakeAt(until)
                    continue
                }
                break
            }
            progress.timer.withLock { $0?.cancel() }
            group.cancelAll()
            return outcome
        }
    }
}

/// What verification has seen so far, shared between the watcher and the deciding loop.
private final class Progress: Sendable {
    let tracker: Mutex<VerificationTracker>
    /// The pending wake-up at the next moment the outcome can be decided.
    let timer = Mutex<Task<Void, Never>?>(nil)

    init(_ tracker: VerificationTracker) {
        self.tracker = Mutex(tracker)
    }
}
