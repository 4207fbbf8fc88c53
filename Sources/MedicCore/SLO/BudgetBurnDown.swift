/// A unit's error budget across its SLO window, for a burn-down chart: at each point the share of
/// the window's budget left, counting the bad time from the window's start to that moment. The last
/// point is `now` and equals the report's remaining budget; points start at the first observation
/// when the window is not full yet. Pure.
public struct BudgetBurnDown: Sendable, Equatable {
    /// The budget left at `time`, as a fraction of the whole budget (below 0 once it is overspent).
    public struct Point: Sendable, Equatable {
        public var time: Double
        public var remaining: Double

        public init(time: Double, remaining: Double) {
            self.time = time
            self.remaining = remaining
        }
    }

    /// The window: `now - window` to `now`.
    public var windowStart: Double
    public var now: Double
    public var points: [Point]

    /// At most `samples` evenly spaced points, plus the ends of every stretch of bad time among them
    /// when there are few enough, so that a short outage shows as the step it is.
    public init(timeline: AvailabilityTimeline, spec: SLOSpec, now: Double, samples: Int = 200) {
        windowStart = now - spec.window
        self.now = now
        let first = max(windowStart, timeline.firstObservation ?? now)
        guard now > first else {
            points = [Point(time: now, remaining: 1)]
            return
        }
        var times: [Double] = []
        let count = max(2, samples)
        for index in 0..<count { times.append(first + (now - first) * Double(index) / Double(count - 1)) }
        let bad = timeline.segments.filter { $0.availability == .bad && $0.end > first && $0.start < now }
        if bad.count * 2 <= count {
            for segment in bad { times += [max(first, segment.start), min(now, segment.end)] }
        }
        times.sort()
        let budget = spec.budget
        var points: [Point] = []
        for time in times where points.last?.time != time {
            let consumed = timeline.totals(from: windowStart, to: time).bad
            points.append(Point(time: time, remaining: budget > 0 ? (budget - consumed) / budget : (consumed > 0 ? -1 : 1)))
        }
        self.points = points
    }
}
