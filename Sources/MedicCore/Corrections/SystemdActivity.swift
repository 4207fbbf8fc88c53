/// Whether systemd is working on a unit itself, or will by its own `Restart=` policy: while it is,
/// Medic does not restart, stop or start the unit (do not fight systemd). Pure.
public enum SystemdActivity {
    /// Why Medic must leave the unit to systemd now; nil when systemd is not handling it.
    /// - Parameters:
    ///   - now: seconds since the epoch.
    ///   - restartGrace: seconds past RestartSec= that a failed unit still counts as awaiting its restart.
    public static func busy(_ unit: UnitHealth, now: Double, restartGrace: Double = 2) -> String? {
        let s = unit.snapshot
        if s.hasJob { return "systemd has a job queued for \(s.name)" }
        if s.subState == "auto-restart" || unit.verdict.cause == .restarting {
            return "systemd is restarting \(s.name) itself (Restart=\(s.restartPolicy ?? ""))"
        }
        if ["activating", "deactivating", "reloading"].contains(s.activeState) { return "\(s.name) is \(s.activeState)" }
        if s.activeState == "failed", s.restartPolicyApplies, let since = s.stateChangeMicros.map({ Double($0) / 1_000_000 }),
           now < since + Double(s.restartDelayMicros ?? 100_000) / 1_000_000 + restartGrace {
            return "systemd is about to restart \(s.name) itself (Restart=\(s.restartPolicy ?? ""))"
        }
        if s.activeState == "active", s.type == .service, let policy = s.restartPolicy, policy != "no" {
            return "\(s.name) is running and systemd restarts it itself when it ends (Restart=\(policy))"
        }
        return nil
    }
}
