import Foundation
import MedicCore

/// Feeds a `ProbeBoard` from the running daemon's state file, for a watcher outside the daemon
/// (`medic watch`): it shows what the daemon's probes say without probing anything itself.
public enum DaemonProbeFeed {
    /// Reads `statePath` every `interval` seconds until cancelled, publishing the probe states of a
    /// live daemon (none while no daemon runs).
    public static func follow(statePath: String, board: ProbeBoard, interval: Double = 2, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) async {
        var published: Set<String> = []
        while !Task.isCancelled {
            let states = DaemonState.read(from: statePath).flatMap { $0.isLive(now: now()) ? $0.probes : nil } ?? [:]
            for (unit, state) in states { board.publish(state, for: unit) }
            for unit in published.subtracting(states.keys) { board.publish(nil, for: unit) }
            published = Set(states.keys)
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
