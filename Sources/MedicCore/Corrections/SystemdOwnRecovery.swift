/// What systemd itself does about a failing unit (Restart=, the start limit, OnFailure=), explained
/// next to what Medic would do, so an operator sees the interplay without reading three man pages. Pure.
public struct SystemdOwnRecovery: Sendable, Equatable, Codable {
    /// Restart= ("no", "on-failure", "always", ...); nil for units that are not services.
    public var restart: String?
    /// RestartSec=, in seconds.
    public var restartDelay: Double?
    /// Automatic restarts since the unit was last started by hand (NRestarts).
    public var restarts: UInt32?
    public var startLimitBurst: UInt32?
    /// StartLimitIntervalSec=, in seconds; 0 disables the start limit.
    public var startLimitInterval: Double?
    /// Units systemd starts when this one fails.
    public var onFailure: [String]

    public init(restart: String? = nil, restartDelay: Double? = nil, restarts: UInt32? = nil, startLimitBurst: UInt32? = nil, startLimitInterval: Double? = nil, onFailure: [String] = []) {
        self.restart = restart
        self.restartDelay = restartDelay
        self.restarts = restarts
        self.startLimitBurst = startLimitBurst
        self.startLimitInterval = startLimitInterval
        self.onFailure = onFailure
    }

    /// One sentence per mechanism.
    public var explanation: [String] {
        var lines: [String] = []
        if let restart {
            let delay = restartDelay.map { " after \(FailureDescription.precise($0))" } ?? ""
            switch restart {
            case "no":
                lines.append("Restart=no: systemd does not restart it; a failure stays until someone (or Medic) acts")
            case "always":
                lines.append("Restart=always: systemd restarts it\(delay) whenever it stops; Medic waits while systemd restarts it")
            default:
                lines.append("Restart=\(restart): systemd restarts it\(delay) when it ends that way; Medic waits while systemd restarts it")
            }
            if let restarts, restarts > 0 { lines.append("systemd has restarted it \(restarts) times since it was last started by hand") }
        }
        if let burst = startLimitBurst, let interval = startLimitInterval {
            if interval == 0 || burst == 0 {
                lines.append("no start limit (StartLimitIntervalSec=0): systemd never refuses a start")
            } else {
                lines.append("start limit \(burst) starts in \(FailureDescription.window(interval)): beyond it systemd refuses to start it (start-limit-hit) until reset-failed; Medic's own starts count too")
            }
        }
        if !onFailure.isEmpty {
            lines.append("OnFailure=\(onFailure.joined(separator: " ")): systemd starts \(onFailure.count == 1 ? "it" : "them") when the unit fails, whatever Medic does")
        }
        return lines
    }
}
