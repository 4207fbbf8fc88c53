/// Seconds spent in each availability class over some interval.
public struct TimeTotals: Sendable, Equatable, Codable {
    public var good: Double = 0
    public var bad: Double = 0
    public var excluded: Double = 0
    public var unknown: Double = 0

    public init(good: Double = 0, bad: Double = 0, excluded: Double = 0, unknown: Double = 0) {
        self.good = good
        self.bad = bad
        self.excluded = excluded
        self.unknown = unknown
    }

    /// Good plus bad: the time the SLI is computed over.
    public var counted: Double { good + bad }

    /// Bad time as a share of counted time; 0 when nothing was counted.
    public var badRatio: Double { counted > 0 ? bad / counted : 0 }

    mutating func add(_ seconds: Double, as availability: Availability) {
        switch availability {
        case .good: good += seconds
        case .bad: bad += seconds
        case .excluded: excluded += seconds
        case .unknown: unknown += seconds
        }
    }

    /// Each class's seconds added.
    public static func + (a: TimeTotals, b: TimeTotals) -> TimeTotals {
        TimeTotals(good: a.good + b.good, bad: a.bad + b.bad, excluded: a.excluded + b.excluded, unknown: a.unknown + b.unknown)
    }

    /// Each class's seconds taken away: the totals between two running sums.
    public static func - (a: TimeTotals, b: TimeTotals) -> TimeTotals {
        TimeTotals(good: a.good - b.good, bad: a.bad - b.bad, excluded: a.excluded - b.excluded, unknown: a.unknown - b.unknown)
    }
}
