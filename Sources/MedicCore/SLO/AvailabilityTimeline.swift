/// A unit's availability over time, as non-overlapping segments built from its observations.
///
/// Each observation holds until the next one; after `knownUntil` (the last moment a running Medic
/// vouched for) time is unknown. Before the first observation there is no data: it is not counted
/// at all, so a window that is not yet full is computed over observed time.
public struct AvailabilityTimeline: Sendable {
    /// One stretch of constant availability.
    public struct Segment: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var availability: Availability
    }

    public let segments: [Segment]

    public init(observations: [StateObservation], knownUntil: Double, policy: AvailabilityPolicy) {
        let sorted = observations.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        var segments: [Segment] = []
        func append(_ start: Double, _ end: Double, _ availability: Availability) {
            guard end > start else { return }
            if let last = segments.last, last.availability == availability, last.end == start {
                segments[segments.count - 1].end = end
            } else {
                segments.append(Segment(start: start, end: end, availability: availability))
            }
        }
        for (index, observation) in sorted.enumerated() {
            let start = observation.time
            let next = index + 1 < sorted.count ? sorted[index + 1].time : .infinity
            let end = min(next, max(knownUntil, start))
            policy.classify(observation, from: start, to: end, append)
            if next.isInfinite || next > knownUntil {
                append(max(knownUntil, start), next, .unknown)
            }
        }
        self.segments = segments
    }

    /// When the unit was first observed, if ever.
    public var firstObservation: Double? { segments.first?.start }

    /// Time per class within [from, to).
    public func totals(from: Double, to: Double) -> TimeTotals {
        guard to > from else { return TimeTotals() }
        var totals = TimeTotals()
        // First segment that ends after `from`.
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].end <= from { low = mid + 1 } else { high = mid }
        }
        var index = low
        while index < segments.count, segments[index].start < to {
            let segment = segments[index]
            let overlap = min(segment.end, to) - max(segment.start, from)
            if overlap > 0 { totals.add(overlap, as: segment.availability) }
            index += 1
        }
        return totals
    }
}
