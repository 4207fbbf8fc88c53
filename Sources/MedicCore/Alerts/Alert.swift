/// One alert as Alertmanager's v2 API takes it: identified by its labels, described by its
/// annotations, active from `startsAt` until `endsAt` (seconds since the epoch).
public struct Alert: Sendable, Equatable {
    public var labels: [String: String]
    public var annotations: [String: String]
    public var startsAt: Double
    /// In the future while active (Alertmanager ends it then unless it is sent again); now or in
    /// the past once resolved.
    public var endsAt: Double

    public init(labels: [String: String], annotations: [String: String], startsAt: Double, endsAt: Double) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    /// The identity Alertmanager gives it: its label set.
    public var fingerprint: String { Self.fingerprint(labels) }

    static func fingerprint(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1f}")
    }
}

/// An alert that holds now, before it is dated by an `AlertBook`.
public struct AlertCondition: Sendable, Equatable {
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(labels: [String: String], annotations: [String: String]) {
        self.labels = labels
        self.annotations = annotations
    }
}
