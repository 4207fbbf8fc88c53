/// Turns systemd's Result and ExecMain code/status into the words an operator reads.
public enum FailureDescription {
    /// CLD_* codes systemd reports in ExecMainCode.
    static let exited: Int32 = 1, killed: Int32 = 2, dumped: Int32 = 3

    /// e.g. "exit-code status=3", "signal SIGKILL", "core-dump SIGSEGV", "oom-kill", "start-limit-hit".
    public static func describe(_ snapshot: UnitSnapshot) -> String {
        let result = snapshot.result ?? "unknown result"
        if snapshot.failureIsInControlCommand {
            if let control = snapshot.controlFailure { return control.description }
            return "\(result) in a control command (ExecStartPre=, ExecStop=, ...), not the main process"
        }
        if snapshot.outOfMemory {
            return "out of memory: the kernel killed the main process (systemd reports \(result) SIGKILL)"
        }
        switch result {
        case "exit-code":
            if let status = snapshot.execMainStatus { return "exit-code status=\(status)" }
            return result
        case "signal", "core-dump":
            if let status = snapshot.execMainStatus, status > 0,
               snapshot.execMainCode == killed || snapshot.execMainCode == dumped {
                return "\(result) \(SignalName.of(status))"
            }
            return result
        case "start-limit-hit":
            return "start-limit-hit (systemd will not start it again until reset-failed)"
        case "oom-kill":
            return "oom-kill (out of memory)"
        case "watchdog":
            return "watchdog (no keep-alive ping in time)"
        case "timeout":
            return "timeout"
        default:
            return result
        }
    }

    /// Human duration: "45s", "6m12s", "2h03m", "3d04h".
    public static func duration(_ seconds: Double) -> String {
        let s = wholeSeconds(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(pad(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(pad(s % 3600 / 60))m" }
        return "\(s / 86_400)d\(pad(s % 86_400 / 3600))h"
    }

    /// Like `duration`, with milliseconds under a second and tenths under a minute: "250ms", "1.2s".
    public static func precise(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "0ms" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 {
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        return duration(seconds)
    }

    /// A window length as operators write it: "5m", "1h", "30d", "90s".
    public static func window(_ seconds: Double) -> String {
        let s = wholeSeconds(seconds)
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where s >= size && s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }

    /// Seconds as a whole number that cannot trap: negative and NaN become 0, huge values are capped.
    private static func wholeSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int(min(seconds, 1e15).rounded())
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
