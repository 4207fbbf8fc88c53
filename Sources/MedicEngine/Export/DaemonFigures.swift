import MedicCore

/// What a running `medic run` knows at one moment, gathered for the metrics endpoint, the textfile
/// and the alerts: one source, so that every export says the same thing.
public struct DaemonFigures: Sendable {
    public var now: Double
    public var startedAt: Double
    /// When the daemon last wrote its history and pinged the watchdog; nil before the first time.
    public var heartbeat: Double?
    /// Every watched unit Medic has a verdict, counters or an SLO report for.
    public var units: [String: UnitFigures]
    /// How many units the watcher watches.
    public var watching: Int
    /// When the SLO figures were computed (every evaluation interval); nil before the first time.
    public var sloEvaluatedAt: Double?
    /// The correction service's decisions and facts; nil when `medic run` only watches.
    public var decisions: CorrectionDecisions?
    public var corrections: CorrectionFacts?

    public init(now: Double, startedAt: Double, heartbeat: Double?, units: [String: UnitFigures], watching: Int,
                sloEvaluatedAt: Double?, decisions: CorrectionDecisions?, corrections: CorrectionFacts?) {
        self.now = now
        self.startedAt = startedAt
        self.heartbeat = heartbeat
        self.units = units
        self.watching = watching
        self.sloEvaluatedAt = sloEvaluatedAt
        self.decisions = decisions
        self.corrections = corrections
    }
}

/// One unit's figures: its verdict now, its cumulative seconds per availability class, its SLO.
public struct UnitFigures: Sendable {
    public var health: UnitHealth?
    public var totals: TimeTotals?
    public var slo: SLOReport?

    public init(health: UnitHealth? = nil, totals: TimeTotals? = nil, slo: SLOReport? = nil) {
        self.health = health
        self.totals = totals
        self.slo = slo
    }
}

/// What the correction service knows that alerts are made of.
public struct CorrectionFacts: Sendable, Equatable {
    /// The last correction of each unit that did not heal it (failed, rolled back, escalated), kept
    /// while the unit stays failed or degraded.
    public var unresolved: [String: UnresolvedCorrection]
    /// Playbooks quarantined for a unit: Medic does not repeat them until a person lifts it.
    public var quarantines: [Quarantine]

    public init(unresolved: [String: UnresolvedCorrection] = [:], quarantines: [Quarantine] = []) {
        self.unresolved = unresolved
        self.quarantines = quarantines
    }

    /// A correction that ended without healing its unit.
    public struct UnresolvedCorrection: Sendable, Equatable {
        public var id: Int64
        public var playbook: String
        public var outcome: CorrectionOutcome
        public var detail: String?
        public var at: Double

        public init(id: Int64, playbook: String, outcome: CorrectionOutcome, detail: String?, at: Double) {
            self.id = id
            self.playbook = playbook
            self.outcome = outcome
            self.detail = detail
            self.at = at
        }
    }

    /// A playbook quarantined for a unit since `since`.
    public struct Quarantine: Sendable, Equatable {
        public var unit: String
        public var playbook: String
        public var since: Double

        public init(unit: String, playbook: String, since: Double) {
            self.unit = unit
            self.playbook = playbook
            self.since = since
        }
    }
}
