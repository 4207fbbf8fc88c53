/// How a recorded correction attempt ended, as history stores it.
public enum CorrectionOutcome: String, Sendable, Equatable, CaseIterable, Codable {
    /// Written before the first change and not closed yet (or Medic died before closing it).
    case open
    /// Verified healthy.
    case recovered
    /// Did not verify; the executed steps were undone.
    case rolledBack = "rolled-back"
    /// Did not verify (or a step failed) and nothing was undone.
    case failed
    /// The attempts ran out (or the playbook was suppressed) and the escalation was sent.
    case escalated
    /// Decided and recorded, nothing changed.
    case dryRun = "dry-run"
    /// Given up before or during its steps for a reason that says nothing about the playbook: systemd
    /// was already handling the unit, it was healthy again, or it no longer exists.
    case abandoned
    /// Medic lost systemd, its store or its process in the middle (a crash, a shutdown that could not
    /// wait, Ctrl-C): an infrastructure interruption, never a playbook failure.
    case interrupted

    /// Whether the attempt says something about the playbook's success: only real attempts that
    /// ended do. Dry-runs, escalations, abandoned and interrupted attempts never count.
    public var isLearnedFrom: Bool { self == .recovered || self == .rolledBack || self == .failed }
}

/// One correction attempt as the learning needs it; built from history by the engine.
public struct PastCorrection: Sendable, Equatable {
    public var unit: String
    public var playbook: String
    /// `FailureSignature.key` at the time of the attempt.
    public var signature: String
    public var outcome: CorrectionOutcome
    /// Seconds since the epoch.
    public var startedAt: Double
    public var endedAt: Double?
    /// Seconds from the start of the attempt to the start of the healthy stretch that verified it.
    public var recoverySeconds: Double?

    public init(unit: String, playbook: String, signature: String, outcome: CorrectionOutcome, startedAt: Double, endedAt: Double? = nil, recoverySeconds: Double? = nil) {
        self.unit = unit
        self.playbook = playbook
        self.signature = signature
        self.outcome = outcome
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.recoverySeconds = recoverySeconds
    }
}
