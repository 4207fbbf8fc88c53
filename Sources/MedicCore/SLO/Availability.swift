/// How a stretch of a unit's time counts toward its availability SLO.
public enum Availability: String, Sendable, Codable, CaseIterable {
    /// Up: counts as good time.
    case good
    /// Down or impaired: counts as bad time and consumes error budget.
    case bad
    /// Deliberately stopped or idle by design: neither good nor bad.
    case excluded
    /// Medic could not see the unit and cannot reconstruct it: neither good nor bad, reported apart.
    case unknown
}

/// Which states count as bad time beyond `failed` (which always does).
public struct AvailabilityPolicy: Sendable, Equatable, Codable {
    /// Count time classified `degraded` (flapping, restarting, stuck) as bad even while the unit runs.
    public var degradedIsBad: Bool
    /// Count activation (starting, auto-restart) longer than this many seconds as bad; nil: never.
    public var activatingGrace: Double?
    /// Count time a unit's active probe fails (cause `probe`) as bad even when that makes it only
    /// degraded: what its users see is what the SLO is about.
    public var probeFailingIsBad: Bool

    public init(degradedIsBad: Bool = false, activatingGrace: Double? = 30, probeFailingIsBad: Bool = true) {
        self.degradedIsBad = degradedIsBad
        self.activatingGrace = activatingGrace
        self.probeFailingIsBad = probeFailingIsBad
    }

    /// Classifies the stretch [start, end) that `observation` holds for (it began at `observation.time`):
    /// one or two pieces, since a start that takes longer than its grace turns bad once the grace is over.
    public func classify(_ observation: StateObservation, from start: Double, to end: Double, _ piece: (Double, Double, Availability) -> Void) {
        guard end > start else { return }
        let availability = self.availability(of: observation)
        guard availability == .good, observation.activeState == "activating", let grace = activatingGrace else {
            piece(start, end, availability)
            return
        }
        let graceEnds = observation.time + grace
        if start < graceEnds { piece(start, min(end, graceEnds), .good) }
        if end > graceEnds { piece(max(start, graceEnds), end, .bad) }
    }

    /// The seconds per class of the stretch [start, end) that `observation` holds for.
    public func totals(of observation: StateObservation, from start: Double, to end: Double) -> TimeTotals {
        var totals = TimeTotals()
        classify(observation, from: start, to: end) { from, to, availability in totals.add(to - from, as: availability) }
        return totals
    }

    /// The availability of a unit in this state; an activation's grace is applied by `classify`.
    public func availability(of observation: StateObservation) -> Availability {
        if observation.isGap { return .unknown }
        if observation.health == .failed { return .bad }
        if observation.health == .degraded && (degradedIsBad || (probeFailingIsBad && observation.cause == .probe)) { return .bad }
        switch observation.activeState {
        case "active", "reloading": return .good
        case "activating":
            // Down between a crash and systemd's automatic restart.
            if observation.subState == "auto-restart" { return .bad }
            return .good
        case "failed": return .bad
        case "inactive", "deactivating": return .excluded
        default: return .unknown
        }
    }
}
