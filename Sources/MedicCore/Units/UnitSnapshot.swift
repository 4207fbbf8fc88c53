/// What Medic knows of one unit at one moment: the systemd properties that decide its health.
///
/// Times are microseconds since the Unix epoch (systemd's realtime timestamps); nil means "never"
/// or "not reported for this unit type".
public struct UnitSnapshot: Sendable, Equatable {
    public var name: String
    public var description: String = ""
    public var loadState: String = ""
    public var activeState: String = ""
    public var subState: String = ""
    /// The unit's `Result` (services, sockets, mounts, timers, ...): `success`, `exit-code`, `signal`, ...
    public var result: String?
    /// How the main process ended: 1 exited, 2 killed, 3 dumped core (CLD_* codes).
    public var execMainCode: Int32?
    /// The main process's exit status, or the signal number when it was killed.
    public var execMainStatus: Int32?
    /// Automatic restarts since the last start by a job; systemd clears it on reset-failed.
    public var restartCount: UInt32?
    /// Lower-case hex of the 128-bit InvocationID, new on every start.
    public var invocationID: String?
    public var execMainStartMicros: UInt64?
    public var stateChangeMicros: UInt64?
    /// The service's `Type=` (simple, oneshot, ...); services only.
    public var serviceType: String?
    public var remainAfterExit: Bool?
    /// Units that trigger this one (timers, sockets, paths).
    public var triggeredBy: [String] = []
    /// For timers: the next realtime elapse.
    public var nextElapseMicros: UInt64?
    /// The service's `Restart=` policy (no, always, on-failure, ...); services only.
    public var restartPolicy: String?
    /// The service's `RestartSec=`, in microseconds.
    public var restartDelayMicros: UInt64?
    /// True while a job (start, stop, restart, ...) is queued for the unit.
    public var hasJob: Bool = false
    /// The control command that failed, when the failure was not the main process's (read only then).
    public var controlFailure: ControlCommandFailure?
    /// Medic's own evidence that the kernel killed the main process for memory where systemd reports
    /// a plain SIGKILL (the memory controller on cgroup v1); see `OutOfMemoryEvidence`.
    public var outOfMemory: Bool = false
    /// Set when the unit's last start job failed because a unit it requires failed (JobRemoved result
    /// `dependency`): systemd leaves the unit inactive with Result=success and says so only on the job.
    public var dependencyFailure: DependencyFailure?
    /// The main process's PID (kept by systemd after it exited), to find it in the kernel's messages.
    public var execMainPID: UInt32?
    /// True for a unit created at runtime (`systemd-run`, `Transient=yes`): stopping it unloads it.
    public var transient: Bool = false
    /// True while Medic knows only the unit's states from the manager's unit list (start-up reads the
    /// list first and each unit's details after READY): such a unit is shown but never acted on, and
    /// its timeline starts once its details (and StateChangeTimestamp) are in.
    public var detailsPending: Bool = false
    /// What the unit's active probes say of its current run, when it has probes (see `ProbeState`).
    public var probe: ProbeState?

    public init(name: String) {
        self.name = name
    }

    public var type: UnitType? { UnitType(unitName: name) }

    /// Whether systemd's `Restart=` policy restarts the service after a run that ended with `result`
    /// (see systemd.service(5)); a start-limit-hit is never restarted.
    public var restartPolicyApplies: Bool {
        guard let policy = restartPolicy, let result, result != "start-limit-hit" else { return false }
        switch policy {
        case "always": return true
        case "on-success": return result == "success"
        case "on-failure": return result != "success"
        case "on-abnormal": return ["signal", "core-dump", "timeout", "watchdog"].contains(result)
        case "on-watchdog": return result == "watchdog"
        case "on-abort": return ["signal", "core-dump"].contains(result)
        default: return false
        }
    }

    /// When systemd's own restart of a unit that failed with its `Restart=` policy applying is due, plus
    /// `grace` seconds (RestartSec= counts from the state change); nil when no such restart is coming.
    public func automaticRestartDeadline(grace: Double) -> Double? {
        guard activeState == "failed", restartPolicyApplies, let since = stateChangeMicros.map({ Double($0) / 1_000_000 }) else { return nil }
        return since + Double(restartDelayMicros ?? 100_000) / 1_000_000 + grace
    }

    /// The key that changes on every start: the invocation ID, else the main process start time.
    public var startKey: String? {
        if let invocationID, !invocationID.isEmpty, invocationID.contains(where: { $0 != "0" }) { return invocationID }
        if let execMainStartMicros { return "t\(execMainStartMicros)" }
        return nil
    }
}

/// The required unit whose failure failed a unit's start, and how it failed.
public struct DependencyFailure: Sendable, Equatable {
    /// The failed unit it requires, when Medic could tell which (Requires=, Requisite=, BindsTo=).
    public var unit: String?
    /// How that unit failed ("exit-code status=1").
    public var reason: String?
    /// Seconds since the epoch at which the start job failed.
    public var at: Double

    public init(unit: String?, reason: String?, at: Double) {
        self.unit = unit
        self.reason = reason
        self.at = at
    }

    /// "dependency db.service failed: exit-code status=1".
    public var description: String {
        guard let unit else { return "a unit it requires failed to start" }
        return "dependency \(unit) failed" + (reason.map { ": \($0)" } ?? "")
    }
}
