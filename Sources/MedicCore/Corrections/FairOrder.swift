/// The order in which failing units are offered a correction when slots and the per-minute budget
/// are scarce: the oldest failure nobody has attended to yet comes first, then units whose last
/// correction lies furthest back. Name order (the old way) let early names starve later ones.
public enum FairOrder {
    /// One failing unit as the scheduler sees it.
    public struct Candidate: Sendable, Equatable {
        public var name: String
        /// When its current failure (or degradation) began, if known.
        public var failingSince: Double?
        /// When Medic last started a correction on it, if ever.
        public var lastCorrection: Double?

        public init(name: String, failingSince: Double?, lastCorrection: Double?) {
            self.name = name
            self.failingSince = failingSince
            self.lastCorrection = lastCorrection
        }

        /// Not corrected since its current failure began.
        var unattended: Bool {
            guard let lastCorrection else { return true }
            guard let failingSince else { return false }
            return lastCorrection < failingSince
        }
    }

    /// Unattended units first, oldest failure first; then attended ones, least recently corrected
    /// first; ties by name, so the order is stable.
    public static func order(_ candidates: [Candidate]) -> [Candidate] {
        candidates.sorted { a, b in
            if a.unattended != b.unattended { return a.unattended }
            let (x, y) = a.unattended
                ? (a.failingSince ?? .infinity, b.failingSince ?? .infinity)
                : (a.lastCorrection ?? -.infinity, b.lastCorrection ?? -.infinity)
            if x != y { return x < y }
            return a.name < b.name
        }
    }
}
