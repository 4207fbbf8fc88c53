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

    /// The outcome and a sentence for the history.
    /// - Parameter progress: called about every second with where verification stands ("healthy for
    ///   12s of 30s"), for a terminal.
    public func verify(unit: String, healthyFor: Double, within: Double, progress report: (@Sendable (String) -> Void)? = nil) async -> (verified: Bool, detail: String) {
        guard let pattern = try? UnitPattern(unit) else { return (false, "invalid unit name \(unit)") }
        let start = clock.now()
        let clock = self.clock
        let progress = Progress()
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
                        progress.state.withLock { s in
                            s.last = "\(health.verdict.health.rawValue): \(health.verdict.reason)"
                            s.since = health.verdict.health == .healthy ? (s.since ?? now) : nil
                        }
                    case .connectionLost(let reason):
                        // Unseen time is not healthy time: the streak starts again once systemd is back.
                        progress.state.withLock { s in
                            s.last = "lost the connection to systemd (\(reason))"
                            s.since = nil
                        }
                    default:
                        return
                    }
                    wake.yield()
                }
            } catch {
                progress.state.withLock { $0.last = "cannot watch: \(error)" }
            }
        }
        defer { watching.cancel() }
        return await withTaskGroup(of: Void.self) { group in
            wakeAt(start + within)
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
                let (since, last) = progress.state.withLock { ($0.since, $0.last) }
                if let since, now - since >= healthyFor {
                    outcome = (true, "healthy for \(FailureDescription.duration(now - since)) without interruption")
                    break
                }
                if let report {
                    let left = FailureDescription.duration(max(0, start + within - now))
                    if let since {
                        report("healthy for \(FailureDescription.duration(now - since)) of \(FailureDescription.duration(healthyFor)) (\(left) left)")
                    } else {
                        report("waiting for \(unit) to be healthy: \(last) (\(left) left)")
                    }
                }
                if now - start >= within {
                    outcome = (false, "not healthy for \(FailureDescription.duration(healthyFor)) within \(FailureDescription.duration(within)); last seen \(last)")
                    break
                }
                if let since { wakeAt(min(since + healthyFor, start + within)) } else { wakeAt(start + within) }
            }
            progress.timer.withLock { $0?.cancel() }
            group.cancelAll()
            return outcome
        }
    }
}

/// What verification has seen so far, shared between the watcher and the deciding loop.
private final class Progress: Sendable {
    /// Since when the unit has been healthy without interruption, and the last state seen.
    let state = Mutex<(since: Double?, last: String)>((nil, "no state seen"))
    /// The pending wake-up at the next moment the outcome can be decided.
    let timer = Mutex<Task<Void, Never>?>(nil)
}
