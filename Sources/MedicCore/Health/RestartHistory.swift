/// Counts a unit's automatic restarts over time, once each, from the stream of its snapshots.
///
/// systemd sends several PropertiesChanged per restart cycle and clears NRestarts on reset-failed, so a
/// restart is counted when the unit's start key (InvocationID, else ExecMainStartTimestamp) changes after
/// evidence of an automatic restart: the unit passed through `auto-restart`, or NRestarts grew. A start
/// by an operator changes the key without such evidence and is not a restart.
///
/// Its memory is bounded whatever the restart rate: only the newest `kept` restarts are remembered
/// (far above any threshold), and of older ones inside the window only that there were some.
public struct RestartHistory: Sendable, Equatable {
    /// Times (seconds since the epoch) of the restarts seen, oldest first: the newest `kept` at most.
    public private(set) var times: [Double] = []
    /// When the newest restart forgotten for want of room was; older restarts may still be in the window.
    private var newestForgotten: Double?
    /// How the latest failed run ended ("exit-code status=1"), for reasons.
    public private(set) var lastFailure: String?
    private var lastStartKey: String?
    private var lastRestartCount: UInt32?
    private var sawAutoRestart = false
    private var seeded = false

    public init() {}

    /// Takes in a new snapshot of the unit observed at `now`.
    public mutating func observe(_ snapshot: UnitSnapshot, at now: Double, policy: HealthPolicy) {
        if !seeded {
            seeded = true
            seed(from: snapshot, now: now, policy: policy)
        }
        if snapshot.subState == "auto-restart" { sawAutoRestart = true }
        // systemd gave up (start limit) or a person reset the unit (reset-failed clears NRestarts):
        // the next start is not an automatic restart.
        if snapshot.result == "start-limit-hit" { sawAutoRestart = false }
        if let count = snapshot.restartCount, let last = lastRestartCount, count < last { sawAutoRestart = false }
        if let result = snapshot.result, result != "success" { lastFailure = FailureDescription.describe(snapshot) }
        let count = snapshot.restartCount
        if let count, let last = lastRestartCount, count > last { sawAutoRestart = true }
        if let key = snapshot.startKey {
            if let previous = lastStartKey, previous != key {
                if sawAutoRestart { times.append(now) }
                sawAutoRestart = false
            }
            lastStartKey = key
        } else if let count, let last = lastRestartCount, count > last {
            // No start key to deduplicate with: fall back to NRestarts alone.
            times.append(contentsOf: Array(repeating: now, count: Int(count - last)))
            sawAutoRestart = false
        }
        if let count { lastRestartCount = count }
        prune(now: now, window: policy.flapWindow, keeping: Self.kept(policy))
    }

    /// How many restarts are remembered: enough to tell every threshold apart, never a whole storm.
    static func kept(_ policy: HealthPolicy) -> Int {
        max(64, policy.crashLoopRestarts + 1, policy.flapRestarts + 1)
    }

    /// At first sight only NRestarts and the latest start are known: when the latest start was an
    /// automatic restart inside the window, assume the counted restarts are recent (capped at the
    /// crash-loop threshold) so a unit already flapping when Medic starts is not reported healthy.
    private mutating func seed(from snapshot: UnitSnapshot, now: Double, policy: HealthPolicy) {
        guard let count = snapshot.restartCount, count > 0 else { return }
        let latest = snapshot.execMainStartMicros.map { Double($0) / 1_000_000 }
            ?? snapshot.stateChangeMicros.map { Double($0) / 1_000_000 }
        guard let latest, now - latest < policy.flapWindow else { return }
        let assumed = min(Int(count), policy.crashLoopRestarts)
        times = Array(repeating: min(latest, now), count: assumed)
    }

    /// Restarts within `window` seconds before `now`, of those remembered.
    public func count(within window: Double, now: Double) -> Int {
        times.reduce(0) { $0 + (now - $1 < window ? 1 : 0) }
    }

    /// Whether there were more restarts within `window` than are remembered (`count` is then a floor).
    public func exceedsCount(within window: Double, now: Double) -> Bool {
        newestForgotten.map { now - $0 < window } ?? false
    }

    /// When the oldest restart still inside the window leaves it, if any.
    public func nextExpiry(window: Double, now: Double) -> Double? {
        times.first { now - $0 < window }.map { $0 + window }
    }

    private mutating func prune(now: Double, window: Double, keeping limit: Int) {
        times.removeAll { now - $0 >= window }
        if times.count > limit {
            newestForgotten = times[times.count - limit - 1]
            times.removeFirst(times.count - limit)
        }
        if let forgotten = newestForgotten, now - forgotten >= window { newestForgotten = nil }
    }
}
