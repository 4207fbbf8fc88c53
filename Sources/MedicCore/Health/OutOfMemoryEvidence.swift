/// Recognises an out-of-memory kill that systemd reports as a plain SIGKILL: with the memory
/// controller on cgroup v1 (hybrid layout) systemd 252 cannot see the cgroup's OOM events and says
/// `Result=signal`, status 9. The kernel still says what happened, naming the process it killed:
/// "Memory cgroup out of memory: Killed process 4242 (python3) total-vm:..." (or "Out of memory:"
/// for the whole machine). Pure.
public enum OutOfMemoryEvidence {
    /// Whether the unit's last run ended the way an out-of-memory kill ends (killed by SIGKILL), so
    /// that the kernel's messages are worth reading.
    public static func worthChecking(_ unit: UnitSnapshot) -> Bool {
        unit.result == "signal" && unit.execMainCode == 2 && unit.execMainStatus == 9 && (unit.execMainPID ?? 0) > 0
    }

    /// Whether a kernel message says that it killed `pid` for memory.
    public static func kernelKilled(pid: UInt32, in messages: [String]) -> Bool {
        messages.contains { killedPID(in: $0) == pid }
    }

    /// The PID in an out-of-memory kill message, or nil for any other message.
    public static func killedPID(in message: String) -> UInt32? {
        let markers = ["Memory cgroup out of memory: Killed process ", "Out of memory: Killed process "]
        guard let range = markers.lazy.compactMap({ message.firstRange(of: $0) }).first else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return UInt32(digits)
    }
}
