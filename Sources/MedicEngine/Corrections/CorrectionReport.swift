import MedicCore

/// One executed (or, in dry-run, planned) step: when, what, and how it ended.
public struct StepRecord: Sendable, Equatable {
    public var action: String
    /// Seconds since the epoch.
    public var started: Double
    public var ended: Double
    /// "done", "failed", "dry-run", "undone", ...
    public var outcome: String
    public var error: String?
    /// True for steps run to roll back.
    public var isRollback: Bool
    /// The property value a set-property step replaced, so it can be put back even after a crash.
    public var captured: UInt64?
}

/// The whole story of one correction attempt.
public struct CorrectionReport: Sendable, Equatable {
    /// How the attempt ended.
    public enum Outcome: String, Sendable {
        case recovered
        case rolledBack = "rolled-back"
        case failed
        case dryRun = "dry-run"
        /// Only notifications were sent (an escalation); nothing was changed or verified.
        case escalated
        /// Given up before the first step: systemd was handling the unit, it was healthy again, or gone.
        case abandoned
        /// Stopped in the middle (the task was cancelled: Ctrl-C, the unit was removed).
        case interrupted
    }

    public var unit: String
    public var playbook: String
    public var reason: String
    public var steps: [StepRecord]
    public var verification: String?
    public var outcome: Outcome
    public var started: Double
    public var ended: Double
}

extension CorrectionReport {
    /// Seconds from the start to the beginning of the healthy stretch that verified it (verification
    /// ends as soon as the unit has been healthy for `healthyFor`); nil unless it recovered.
    public func recoverySeconds(healthyFor: Double) -> Double? {
        guard outcome == .recovered else { return nil }
        return max(0, ended - healthyFor - started)
    }
}
