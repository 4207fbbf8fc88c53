/// Cumulative good, bad, excluded and unknown seconds per unit since counting began: the monotonic
/// counters behind `medic_unit_good_seconds_total` and its siblings, from which any SLO tool computes
/// an SLI over any window (`increase(bad[1h]) / increase(good[1h] + bad[1h])`).
///
/// Fed with the same observations as the stored timeline and classified by the same rules
/// (`AvailabilityPolicy.classify`, including an activation's grace), so that the counters and `medic slo`
/// agree on what was good and bad. Time before counting began, or before an observation already
/// accounted for, is never counted again: the counters only grow.
public struct AvailabilityCounters: Sendable {
    private struct Entry: Sendable {
        var totals = TimeTotals()
        var current: StateObservation
        /// Everything before this moment is in `totals`.
        var accountedUntil: Double
    }

    private var entries: [String: Entry] = [:]
    /// No time before this is counted (when Medic started).
    public let start: Double

    public init(since start: Double) {
        self.start = start
    }

    /// The units being counted.
    public var units: [String] { Array(entries.keys) }

    /// From `observation.time` on, the unit is in this state (or unseen, for a gap). An observation
    /// dated before time already accounted for takes effect from then on.
    public mutating func record(_ unit: String, _ observation: StateObservation, policy: AvailabilityPolicy) {
        guard var entry = entries[unit] else {
            entries[unit] = Entry(current: observation, accountedUntil: max(start, observation.time))
            return
        }
        let until = max(entry.accountedUntil, observation.time)
        entry.totals.add(Self.totals(of: entry.current, from: entry.accountedUntil, to: until, policy: policy))
        entry.accountedUntil = until
        entry.current = observation
        entries[unit] = entry
    }

    /// Medic stopped seeing every unit at `time` (the bus was lost): unknown until each is seen again.
    public mutating func lostSight(at time: Double, policy: AvailabilityPolicy) {
        for unit in Array(entries.keys) where entries[unit]?.current.isGap == false {
            record(unit, .gap(at: time), policy: policy)
        }
    }

    /// A unit systemd unloaded: its counters end (Prometheus treats a series that reappears as a reset).
    public mutating func forget(_ unit: String) {
        entries[unit] = nil
    }

    /// The unit's cumulative seconds per class up to `now`; nil when it was never observed.
    public func totals(of unit: String, at now: Double, policy: AvailabilityPolicy) -> TimeTotals? {
        guard let entry = entries[unit] else { return nil }
        var totals = entry.totals
        totals.add(Self.totals(of: entry.current, from: entry.accountedUntil, to: max(entry.accountedUntil, now), policy: policy))
        return totals
    }

    /// The seconds of one observation's stretch that fall within [from, to), classified as the timeline does.
    private static func totals(of observation: StateObservation, from: Double, to: Double, policy: AvailabilityPolicy) -> TimeTotals {
        var totals = TimeTotals()
        policy.classify(observation, from: from, to: to) { start, end, availability in totals.add(end - start, as: availability) }
        return totals
    }
}

extension TimeTotals {
    mutating func add(_ other: TimeTotals) {
        good += other.good
        bad += other.bad
        excluded += other.excluded
        unknown += other.unknown
    }
}
