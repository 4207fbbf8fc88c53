/// Linux signal numbers to their names, as systemd prints them.
public enum SignalName {
    private static let names = [
        1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
        10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD",
        18: "CONT", 19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ",
        26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS",
    ]

    /// "SIGKILL" for 9; "SIGRTMIN+n" for real-time signals; "signal N" otherwise.
    public static func of(_ number: Int32) -> String {
        if let name = names[Int(number)] { return "SIG" + name }
        if number >= 34 && number <= 64 { return "SIGRTMIN+\(number - 34)" }
        return "signal \(number)"
    }
}
