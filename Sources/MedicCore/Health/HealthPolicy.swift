/// The thresholds behind the health classes; every figure here is an operator-tunable default.
public struct HealthPolicy: Sendable, Equatable {
    /// Automatic restarts within `flapWindow` that make an active unit `degraded` (flapping).
    public var flapRestarts: Int = 3
    /// Automatic restarts within `flapWindow` that make a crash loop: `degraded` while the unit runs or
    /// systemd restarts it, `failed` once systemd stops restarting it.
    public var crashLoopRestarts: Int = 5
    /// The window, in seconds, over which restarts are counted.
    public var flapWindow: Double = 600
    /// Seconds in activating/deactivating after which a unit is `degraded` (stuck).
    public var stuckTransition: Double = 300
    /// Seconds in reloading after which a unit is `degraded`.
    public var reloadTooLong: Double = 120

    /// Seconds past `RestartSec=` that a failed unit whose `Restart=` policy applies is given to come
    /// back before it counts as failed (systemd shows it failed for an instant before auto-restart).
    public var restartGrace: Double = 2

    public init() {}

    public init(flapRestarts: Int, crashLoopRestarts: Int, flapWindow: Double, stuckTransition: Double, reloadTooLong: Double) {
        self.flapRestarts = flapRestarts
        self.crashLoopRestarts = crashLoopRestarts
        self.flapWindow = flapWindow
        self.stuckTransition = stuckTransition
        self.reloadTooLong = reloadTooLong
    }
}
