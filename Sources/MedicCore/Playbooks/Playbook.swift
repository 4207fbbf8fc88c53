/// A correction playbook: which failures it treats, what it does about them, how it checks that it
/// helped and what it undoes when it did not. Loaded from YAML by `PlaybookParser`.
public struct Playbook: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Higher is tried first among matching playbooks (before learned statistics adjust the order).
    public var priority: Int
    /// Pinned by the operator: keeps its declared place whatever was learned, and is never suppressed.
    public var pinned: Bool
    public var mode: Mode
    public var match: PlaybookMatch
    public var trigger: Trigger
    public var steps: [PlaybookStep]
    public var verify: Verification
    public var rollback: Rollback
    public var guardrails: PlaybookGuard
    /// Where it was read from, for messages ("Playbooks/restart.yaml").
    public var source: String

    public init(name: String, description: String = "", priority: Int = 0, pinned: Bool = false, mode: Mode = .active, match: PlaybookMatch = PlaybookMatch(), trigger: Trigger = .fastBurn, steps: [PlaybookStep], verify: Verification = Verification(), rollback: Rollback = .automatic, guardrails: PlaybookGuard = PlaybookGuard(), source: String = "") {
        self.name = name
        self.description = description
        self.priority = priority
        self.pinned = pinned
        self.mode = mode
        self.match = match
        self.trigger = trigger
        self.steps = steps
        self.verify = verify
        self.rollback = rollback
        self.guardrails = guardrails
        self.source = source
    }

    /// `dry-run` records what would be done and changes nothing.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case active
        case dryRun = "dry-run"
    }

    /// When the playbook may act on a matching unit.
    public enum Trigger: String, Sendable, Equatable, CaseIterable {
        /// As soon as the unit is classified failed, or its active probe fails (cause `probe`).
        case failure
        /// When a page-level burn-rate rule fires (the budget is breached).
        case fastBurn = "fast-burn"
        /// When a ticket-level rule fires (warning).
        case slowBurn = "slow-burn"
        /// When the error budget is exhausted.
        case exhausted
    }

    /// What happens to executed steps when verification fails.
    public enum Rollback: String, Sendable, Equatable, CaseIterable {
        /// Undo the executed steps in reverse order.
        case automatic
        /// Leave everything as it is.
        case none
    }
}

/// How a correction proves that it helped.
public struct Verification: Sendable, Equatable {
    /// The unit must stay healthy for this many seconds without interruption...
    public var healthyFor: Double
    /// ...within this many seconds of the last step.
    public var within: Double
    /// Optionally, the fast burn rate must also fall below this.
    public var burnRateBelow: Double?

    public init(healthyFor: Double = 30, within: Double = 120, burnRateBelow: Double? = nil) {
        self.healthyFor = healthyFor
        self.within = within
        self.burnRateBelow = burnRateBelow
    }
}

/// Limits that keep a playbook from becoming a restart loop, after kubelet's CrashLoopBackOff.
public struct PlaybookGuard: Sendable, Equatable {
    /// Seconds after an attempt before the next may start.
    public var cooldown: Double
    /// Attempts allowed per unit within `window`.
    public var maxAttempts: Int
    public var window: Double
    /// Backoff between attempts: starts here, doubles, capped at `backoffMax`, and resets after the
    /// unit has been healthy for `resetAfter` seconds.
    public var backoffInitial: Double
    public var backoffMax: Double
    public var resetAfter: Double
    /// What to do once attempts run out.
    public var onExhausted: Exhaustion

    /// Once the attempts are used up Medic stops acting on the unit until a person lifts it, and:
    /// `escalate` runs the playbook's notify steps once, `stop` says nothing more, `keep` also keeps
    /// the unit as the last attempt left it (no rollback of that attempt).
    public enum Exhaustion: String, Sendable, Equatable, CaseIterable {
        case escalate
        case stop
        case keep
    }

    public init(cooldown: Double = 60, maxAttempts: Int = 3, window: Double = 3600, backoffInitial: Double = 10, backoffMax: Double = 300, resetAfter: Double = 600, onExhausted: Exhaustion = .stop) {
        self.cooldown = cooldown
        self.maxAttempts = maxAttempts
        self.window = window
        self.backoffInitial = backoffInitial
        self.backoffMax = backoffMax
        self.resetAfter = resetAfter
        self.onExhausted = onExhausted
    }
}

extension Playbook {
    /// A playbook that only tells a person (every step a `notify`): an escalation, never a correction.
    /// It is not verified, holds no correction slot and is never counted in learned statistics.
    public var notifiesOnly: Bool {
        !steps.isEmpty && steps.allSatisfy { if case .notify = $0 { return true } else { return false } }
    }

    /// What is valid but probably not what the author meant, one sentence each (`medic playbook check`).
    public var warnings: [String] {
        var found: [String] = []
        if let index = steps.firstIndex(of: .stop) {
            found.append("steps[\(index)]: 'stop' unloads a transient unit (systemd-run), so a later 'start' fails with NoSuchUnit; Medic passes this playbook over for transient units (use 'restart' to stop and start in one step)")
        }
        return found
    }

    /// Whether a step stops the unit: a stop unloads a transient unit (`systemd-run`), so a later
    /// start fails with NoSuchUnit and the service is gone for good.
    public var stopsUnit: Bool {
        steps.contains { $0 == .stop }
    }
}
