/// Why a unit is failing, in the words a playbook's `match.causes` uses: what systemd reports
/// (Result, exit status or signal) and what Medic concluded beyond it (flapping, a dependency, an
/// out-of-memory kill that systemd reported as a plain SIGKILL). Pure.
public enum FailureCause: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    /// The main process exited with a non-zero status.
    case exit
    /// The main process was killed by a signal or dumped core (not for memory).
    case crash
    /// The kernel killed it for memory (systemd's oom-kill, or Medic's own evidence of it).
    case outOfMemory = "out-of-memory"
    /// It stopped answering its watchdog.
    case watchdog
    /// A start, stop or run took longer than allowed.
    case timeout
    /// It was started too often and systemd refuses to start it again.
    case startLimit = "start-limit"
    /// systemd could not set up what it needs (Result=resources).
    case resources
    /// A control command (ExecStartPre=, ExecStop=, ...) failed, not the main process.
    case control
    /// Between a crash and systemd's own restart.
    case restarting
    /// Restarting often.
    case flapping
    /// Restarting so often that it counts as failed.
    case crashLoop = "crash-loop"
    /// Activating, deactivating or reloading for too long.
    case stuck
    /// Its start failed because a unit it requires failed.
    case dependency
    /// It runs, but its active probe fails (HTTP, TCP, unix socket or a command).
    case probe

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The causes of a unit's state now: its health cause, and what systemd reports about its last run.
    public static func of(_ unit: UnitHealth) -> Set<FailureCause> {
        var causes: Set<FailureCause> = []
        switch unit.verdict.cause {
        case .restarting: causes.insert(.restarting)
        case .flapping: causes.insert(.flapping)
        case .crashLoop: causes.insert(.crashLoop)
        case .stuck: causes.insert(.stuck)
        case .dependency: causes.insert(.dependency)
        case .probe: causes.insert(.probe)
        case .state: break
        }
        let s = unit.snapshot
        if s.outOfMemory { return causes.union([.outOfMemory]) }
        // Failed although Restart= applies: systemd refused the restart for its start limit, keeping
        // the first failure's Result (start-limit-hit shows only when a person's start is refused).
        if unit.verdict.health == .failed, s.activeState == "failed", s.restartPolicyApplies { causes.insert(.startLimit) }
        switch s.result ?? "success" {
        case "exit-code": causes.insert(s.controlFailure == nil ? .exit : .control)
        case "signal", "core-dump": causes.insert(s.controlFailure == nil ? .crash : .control)
        case "oom-kill": causes.insert(.outOfMemory)
        case "watchdog": causes.insert(.watchdog)
        case "timeout": causes.insert(.timeout)
        case "start-limit-hit", "unit-start-limit-hit", "service-start-limit-hit", "mount-start-limit-hit", "trigger-limit-hit": causes.insert(.startLimit)
        case "resources": causes.insert(.resources)
        case "exec-condition", "failed-precondition": causes.insert(.control)
        default: break
        }
        return causes
    }
}
