/// A service's control command (ExecStartPre=, ExecStop=, ...) that failed, as systemd reports it in
/// the command's status: the unit's failure was not its main process's.
public struct ControlCommandFailure: Sendable, Equatable {
    /// The setting it came from: "ExecStartPre", "ExecStartPost", "ExecStop", ...
    public var kind: String
    public var path: String
    /// How it ended: 1 exited, 2 killed, 3 dumped core (CLD_* codes).
    public var code: Int32
    /// The exit status, or the signal number.
    public var status: Int32

    public init(kind: String, path: String, code: Int32, status: Int32) {
        self.kind = kind
        self.path = path
        self.code = code
        self.status = status
    }

    /// "ExecStartPre=/usr/bin/check exit-code status=4", "ExecStop=/bin/kill signal SIGKILL".
    public var description: String {
        switch code {
        case 1: return "\(kind)=\(path) exit-code status=\(status)"
        case 2: return "\(kind)=\(path) signal \(SignalName.of(status))"
        case 3: return "\(kind)=\(path) core-dump \(SignalName.of(status))"
        default: return "\(kind)=\(path) failed"
        }
    }
}

extension UnitSnapshot {
    /// Whether systemd reports a failure that the main process cannot explain: it did not run in this
    /// invocation (a command before it failed), or it exited 0 (a command after it failed).
    /// Only a unit that is failed now is asked: between a restart's reset of the main process's status
    /// and its fork, a unit still shows the last run's Result, which must not cost a read each time.
    public var failureIsInControlCommand: Bool {
        guard activeState == "failed", let result, ["exit-code", "signal", "core-dump"].contains(result), type == .service else { return false }
        if execMainStartMicros == nil && (execMainCode ?? 0) == 0 { return true }  // the main process never ran
        return execMainCode == 1 && execMainStatus == 0  // it exited 0, yet the run failed
    }
}
