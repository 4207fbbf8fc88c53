/// What a unit's active probes say of its current run, as the health model sees it: passing,
/// pending (too few results yet, or paused), or failing with the failing probe's last error.
public struct ProbeState: Sendable, Equatable, Codable {
    public var status: ProbeTracker.Status
    /// The probe's name in medic.yaml, when it has one.
    public var name: String?
    /// The probe that decides the status (the failing one, when one fails): "http GET http://…".
    public var label: String
    /// Its last result's detail: "status 503", "timeout after 2s", "connection refused".
    public var detail: String?
    /// The class a failing probe puts the unit in.
    public var failureIs: Health
    /// The run of the unit (its start key) the results are about; results of another run say nothing.
    public var startKey: String?
    /// Seconds between this probe's runs plus its timeout: how far apart probes see a failure that
    /// began at one moment for several units.
    public var spread: Double?

    public init(status: ProbeTracker.Status, label: String, detail: String? = nil, failureIs: Health = .degraded, startKey: String? = nil, spread: Double? = nil, name: String? = nil) {
        self.name = name
        self.spread = spread
        self.status = status
        self.label = label
        self.detail = detail
        self.failureIs = failureIs
        self.startKey = startKey
    }

    /// What the probe makes of `unit`: the configured class with cause `probe` when it fails for
    /// the unit's current run while systemd says the unit is active; nil otherwise (systemd's word
    /// stands).
    public func verdict(for unit: UnitSnapshot) -> HealthVerdict? {
        guard status == .failing, unit.activeState == "active", startKey == nil || startKey == unit.startKey else { return nil }
        return HealthVerdict(failureIs, reason, cause: .probe)
    }

    /// The sentence a failing probe gives the unit's verdict.
    public var reason: String {
        "probe \(name.map { "\($0): " } ?? "")\(label) failing: \(detail ?? "no result")"
    }

    /// One line for `status` and `explain`: "passing (http GET …: status 200)".
    public var summary: String {
        let last = detail.map { ": \($0)" } ?? ""
        return "\(status.rawValue) (\(name.map { "\($0): " } ?? "")\(label)\(last))"
    }

    /// The state of a unit with several probes: the first failing one, else the first pending or
    /// paused one, else (all pass) the first.
    public static func combined(_ states: [ProbeState]) -> ProbeState? {
        states.first { $0.status == .failing } ?? states.first { $0.status == .pending || $0.status == .paused } ?? states.first
    }
}
