import MedicConfig
import MedicCore
import MedicStore

/// One unit's SLO figures.
public struct UnitSLO: Sendable {
    public var unit: String
    public var report: SLOReport

    public init(unit: String, report: SLOReport) {
        self.unit = unit
        self.report = report
    }

    /// The order of `medic slo`: the worst budget state first, then the least budget left, then by name.
    public static func worseFirst(_ a: UnitSLO, _ b: UnitSLO) -> Bool {
        (b.report.state, a.report.remainingPercent, a.unit) < (a.report.state, b.report.remainingPercent, b.unit)
    }
}

/// Computes SLO reports from the stored timelines, for the daemon and for `medic slo`.
public struct SLOQuery: Sendable {
    public var store: MedicStore
    public var configuration: MedicConfiguration

    public init(store: MedicStore, configuration: MedicConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// Until when the stored timelines are vouched for: now while a daemon heartbeats, else the end
    /// of its last session (time after that is unknown).
    public static func knownUntil(_ session: StoredSession?, now: Double, heartbeat: Double) -> Double {
        guard let session else { return now }
        if let stopped = session.stoppedAt { return stopped }
        return now - session.lastSeenAt <= 3 * heartbeat ? now : session.lastSeenAt
    }

    /// Reports for every stored, watched unit matching `patterns`, worst first.
    public func reports(now: Double, knownUntil: Double, patterns: [UnitPattern] = []) async throws -> [UnitSLO] {
        var specs: [(unit: String, spec: SLOSpec, span: Double)] = []
        for unit in try await store.units() where configuration.watches(unit) && UnitPattern.any(patterns, match: unit) {
            let spec = configuration.slo.spec(for: unit)
            specs.append((unit, spec, ([spec.window] + spec.rules.map(\.longWindow)).max() ?? spec.window))
        }
        guard let longest = specs.map(\.span).max() else { return [] }
        let wanted = Dictionary(specs.map { ($0.unit, (spec: $0.spec, span: $0.span)) }, uniquingKeysWith: { first, _ in first })
        let availability = configuration.availability
        if let summed = try await summedReports(specs.map { ($0.unit, $0.spec) }, now: now, knownUntil: knownUntil) {
            return summed.sorted(by: UnitSLO.worseFirst)
        }
        let evaluate: @Sendable (String, [StateObservation]) -> UnitSLO? = { unit, observations in
            guard let (spec, span) = wanted[unit] else { return nil }
            let timeline = AvailabilityTimeline(observations: Array(Self.trimmed(observations, from: now - span)), knownUntil: knownUntil, policy: availability)
            return UnitSLO(unit: unit, report: SLOEvaluator.evaluate(timeline, spec: spec, now: now))
        }
        // One unit's rows in memory at a time: the daemon evaluates every heartbeat, and a long or
        // busy history must not set its memory.
        var results = try await store.mapTimelines(from: now - longest, evaluate)
        let evaluated = Set(results.map { (slo: UnitSLO) in slo.unit })
        for (unit, _, _) in specs where !evaluated.contains(unit) {
            if let report = evaluate(unit, []) { results.append(report) }
        }
        return results.sorted(by: UnitSLO.worseFirst)
    }

    /// The reports from the store's running sums: the SLO window from two rows per unit, the alert
    /// windows from the recent rows alone. nil when the sums cannot answer (kept under another
    /// availability policy, none kept, or the history is not vouched for up to the alert windows).
    private func summedReports(_ specs: [(unit: String, spec: SLOSpec)], now: Double, knownUntil: Double) async throws -> [UnitSLO]? {
        guard !specs.isEmpty else { return [] }
        let recentSpan = specs.flatMap { $0.spec.rules.map(\.longWindow) }.max() ?? 0
        let recentFrom = now - recentSpan
        guard knownUntil >= recentFrom else { return nil }
        let wanted = Dictionary(specs.map { ($0.unit, $0.spec) }, uniquingKeysWith: { first, _ in first })
        let availability = configuration.availability
        let evaluate: @Sendable (SummedTimeline) -> UnitSLO? = { summed in
            guard let spec = wanted[summed.unit] else { return nil }
            let timeline = AvailabilityTimeline(observations: (summed.recentAnchor.map { [$0.observation] } ?? []) + summed.recent,
                                                knownUntil: knownUntil, policy: availability)
            let windowStart = now - spec.window
            // Without rows before the recent ones, or with an SLO window no longer than the alert
            // windows, the recent rows hold the whole window.
            guard let base = summed.recentAnchor, windowStart < recentFrom else {
                return UnitSLO(unit: summed.unit, report: SLOEvaluator.evaluate(timeline, spec: spec, now: now))
            }
            let anchor = summed.windowAnchor
            let atWindowStart = anchor.observation.time < windowStart ? anchor.sums(at: windowStart, policy: availability) : anchor.sums
            let atNow = base.sums + timeline.totals(from: base.observation.time, to: now)
            let window = SLOEvaluator.SummedWindow(totals: atNow - atWindowStart, firstObservation: anchor.observation.time)
            return UnitSLO(unit: summed.unit, report: SLOEvaluator.evaluate(timeline, spec: spec, now: now, summed: window))
        }
        guard var results = try await store.mapSummedTimelines(under: availability, recentFrom: recentFrom,
                                                               windowStart: { wanted[$0].map { now - $0.window } }, evaluate) else { return nil }
        let evaluated = Set(results.map(\.unit))
        for (unit, spec) in specs where !evaluated.contains(unit) {
            let timeline = AvailabilityTimeline(observations: [], knownUntil: knownUntil, policy: availability)
            results.append(UnitSLO(unit: unit, report: SLOEvaluator.evaluate(timeline, spec: spec, now: now)))
        }
        return results
    }

    /// One unit's availability over its SLO window (and its longest alert window), its spec and its
    /// report, read from that unit's rows alone: what the dashboard's unit page draws.
    public func timeline(of unit: String, now: Double, knownUntil: Double) async throws -> (timeline: AvailabilityTimeline, spec: SLOSpec, report: SLOReport) {
        let spec = configuration.slo.spec(for: unit)
        let span = ([spec.window] + spec.rules.map(\.longWindow)).max() ?? spec.window
        let observations = try await store.observations(of: unit, from: now - span).map(\.observation)
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: knownUntil, policy: configuration.availability)
        return (timeline, spec, SLOEvaluator.evaluate(timeline, spec: spec, now: now))
    }

    /// The observations from `from` on, preceded by the one in effect at `from` (if any).
    static func trimmed(_ observations: [StateObservation], from: Double) -> ArraySlice<StateObservation> {
        let firstInside = observations.firstIndex { $0.time >= from } ?? observations.endIndex
        return observations[max(observations.startIndex, firstInside - 1)...]
    }
}
