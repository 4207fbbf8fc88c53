import MedicCore
import MedicEngine

/// One unit's SLO as its page and `explain` show it, read from that unit's rows alone: its report,
/// its availability stretches over the SLO window and the budget burn-down. Empty when the store
/// holds nothing for it.
public struct UnitBudgetHistory: Sendable {
    public var report: SLOReport?
    public var segments: [AvailabilityTimeline.Segment]
    public var burnDown: BudgetBurnDown?

    public init(report: SLOReport?, segments: [AvailabilityTimeline.Segment], burnDown: BudgetBurnDown?) {
        self.report = report
        self.segments = segments
        self.burnDown = burnDown
    }

    /// Nothing stored.
    public static let none = UnitBudgetHistory(report: nil, segments: [], burnDown: nil)

    public static func read(_ unit: String, query: SLOQuery, now: Double, knownUntil: Double) async throws -> UnitBudgetHistory {
        let (timeline, spec, report) = try await query.timeline(of: unit, now: now, knownUntil: knownUntil)
        guard timeline.firstObservation != nil else { return .none }
        return UnitBudgetHistory(report: report, segments: timeline.segments.filter { $0.end > now - spec.window },
                                 burnDown: BudgetBurnDown(timeline: timeline, spec: spec, now: now))
    }
}
