/// Whether systemd is working on a unit itself, or will by its own `Restart=` policy: while it is,
/// Medic does not restart, stop or start the unit (do not fight systemd). Pure.
public enum SystemdActivity {
    /// Why Medic must leave the unit to systemd now; nil when systemd is not handling it. A unit under
    /// `Restart=` gets one reason whatever phase of its restart cycle it is in, so that a decision
    /// not to act is logged once, not on every crash.
    /// - Parameters:
    ///   - now: seconds since the epoch.
    ///   - restartGrace: seconds past RestartSec= that a failed unit still counts as awaiting its restart.
    public static func busy(_ unit: UnitHealth, now: Double, restartGrace: Double = 2) -> String? {
        let s = unit.snapshot
        let transitional = ["activating", "deactivating", "reloading"].contains(s.activeState)
        if let policy = s.restartPolicy, policy != "no", s.type == .service {
            let restarting = s.hasJob || s.subState == "auto-restart" || unit.verdict.cause == .restarting || transitional
                || s.activeState == "active" || now < s.automaticRestartDeadline(grace: restartGrace) ?? -.infinity
            if restarting { return "systemd restarts \(s.name) itself when it fails (Restart=\(policy)); Medic leaves it to systemd" }
        }
        if s.hasJob { return "systemd has a job queued for \(s.name)" }
        if s.subState == "auto-restart" || unit.verdict.cause == .restarting { return "systemd is restarting \(s.name) itself" }
        if transitional { return "\(s.name) is \(s.activeState)" }
        return nil
    }
}
