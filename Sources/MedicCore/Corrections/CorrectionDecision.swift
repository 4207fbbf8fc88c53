/// A step as planned, with what undoes it when the correction must be rolled back.
public struct PlannedStep: Sendable, Equatable {
    public var step: PlaybookStep
    public var undo: Undo

    /// How a step is undone.
    public enum Undo: Sendable, Equatable {
        /// Nothing to undo (restart, reload, reset-failed, kill, wait, notify).
        case nothing
        /// Another step (start for stop, stop for start, the `undo` command for run).
        case step(PlaybookStep)
        /// Put back the value the property had just before the step changed it.
        case restoreProperty(String)
    }

    public init(_ step: PlaybookStep) {
        self.step = step
        switch step {
        case .start: undo = .step(.stop)
        case .stop: undo = .step(.start)
        case .setProperty(let name, _, _): undo = .restoreProperty(name)
        case .run(_, let undoArgv?, let timeout, let user): undo = .step(.run(argv: undoArgv, undo: nil, timeout: timeout, user: user))
        default: undo = .nothing
        }
    }
}

/// What Medic will do for a unit, and why.
public struct CorrectionPlan: Sendable, Equatable {
    public var unit: String
    public var playbook: Playbook
    public var steps: [PlannedStep]
    /// The other matching playbooks, in the order they would be tried.
    public var alternatives: [String]
    /// True when nothing may be changed (global dry-run or the playbook's mode).
    public var dryRun: Bool
    public var reason: String
    /// The failure it treats.
    public var signature: FailureSignature?
    /// 1 for the first choice, 2 when the first was held back (cooldown, quarantine, suppression), ...
    public var rank: Int
    /// 1 for the playbook's first attempt on the unit within its guard window, 2 for the second, ...:
    /// a relative property change grows with it (see `PropertyChange`).
    public var attempt: Int = 1

    public init(unit: String, playbook: Playbook, steps: [PlannedStep], alternatives: [String], dryRun: Bool, reason: String, signature: FailureSignature? = nil, rank: Int = 1) {
        self.unit = unit
        self.playbook = playbook
        self.steps = steps
        self.alternatives = alternatives
        self.dryRun = dryRun
        self.reason = reason
        self.signature = signature
        self.rank = rank
    }
}

/// The decision for one unit at one moment.
public enum CorrectionDecision: Sendable, Equatable {
    /// Carry out this plan now.
    case act(CorrectionPlan)
    /// Attempts ran out: run this playbook's notify steps once, then leave the unit alone.
    case escalate(unit: String, playbook: Playbook, reason: String)
    /// Something must change first (systemd is busy with the unit, a cooldown, a global limit).
    case wait(until: Double?, reason: String)
    /// Nothing to do, and why.
    case none(reason: String)
}
