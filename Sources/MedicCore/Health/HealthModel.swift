/// The live health of a set of units: takes in snapshots as they change and reports class transitions.
///
/// Pure state machine: the caller feeds snapshots and the current time, and carries out nothing but
/// printing or storing the transitions it returns.
public struct HealthModel: Sendable {
    public let classifier: HealthClassifier
    private var entries: [String: Entry] = [:]
    /// The units whose verdict may change with time alone, and when: few of all, so that finding the
    /// next one due costs nothing per event at thousands of units.
    private var rechecks: [String: Double] = [:]

    struct Entry: Sendable {
        var snapshot: UnitSnapshot
        var restarts = RestartHistory()
        var verdict: HealthVerdict
    }

    public init(policy: HealthPolicy = HealthPolicy()) {
        classifier = HealthClassifier(policy: policy)
    }

    /// Records a unit's new snapshot and returns the transition it causes, if its class changed (or its
    /// cause, while degraded or failed).
    /// A unit seen for the first time yields a transition whose `from` is nil.
    @discardableResult
    public mutating func update(_ snapshot: UnitSnapshot, at now: Double) -> HealthTransition? {
        var entry = entries[snapshot.name] ?? Entry(snapshot: snapshot, verdict: HealthVerdict(.unknown, ""))
        let previous = entries[snapshot.name]?.verdict
        entry.snapshot = snapshot
        entry.restarts.observe(snapshot, at: now, policy: classifier.policy)
        entry.verdict = classifier.classify(snapshot, restarts: entry.restarts, now: now, lookup: lookup)
        entries[snapshot.name] = entry
        rechecks[snapshot.name] = entry.verdict.recheckAt
        guard entry.verdict.isTransition(from: previous) else { return nil }
        return HealthTransition(unit: snapshot.name, from: previous?.health, to: entry.verdict, time: now, snapshot: snapshot)
    }

    /// Forgets a unit systemd unloaded.
    public mutating func remove(_ name: String) {
        entries[name] = nil
        rechecks[name] = nil
    }

    /// Re-classifies every unit whose verdict may have changed with time alone (or all, with `all`),
    /// returning the resulting transitions sorted by unit name.
    public mutating func reevaluate(at now: Double, all: Bool = false) -> [HealthTransition] {
        var transitions: [HealthTransition] = []
        let due = all ? Array(entries.keys) : rechecks.filter { $0.value <= now }.map(\.key)
        for name in due.sorted() {
            guard var entry = entries[name] else { continue }
            let previous = entry.verdict
            entry.verdict = classifier.classify(entry.snapshot, restarts: entry.restarts, now: now, lookup: lookup)
            entries[name] = entry
            rechecks[name] = entry.verdict.recheckAt
            if entry.verdict.isTransition(from: previous) {
                transitions.append(HealthTransition(unit: name, from: previous.health, to: entry.verdict, time: now, snapshot: entry.snapshot))
            }
        }
        return transitions
    }

    /// The earliest time at which some verdict may change without an event.
    public var nextRecheck: Double? {
        rechecks.values.min()
    }

    public func snapshot(of name: String) -> UnitSnapshot? { entries[name]?.snapshot }

    public func health(of name: String) -> UnitHealth? {
        entries[name].map { UnitHealth(snapshot: $0.snapshot, verdict: $0.verdict) }
    }

    public var unitNames: [String] { entries.keys.sorted() }

    /// Every unit, worst first, then by name.
    public var units: [UnitHealth] {
        entries.values
            .map { UnitHealth(snapshot: $0.snapshot, verdict: $0.verdict) }
            .sorted(by: UnitHealth.worseFirst)
    }

    public var count: Int { entries.count }

    private func lookup(_ name: String) -> UnitSnapshot? { entries[name]?.snapshot }
}

extension UnitHealth {
    /// The order of every unit list: worst health first, then by name.
    public static func worseFirst(_ a: UnitHealth, _ b: UnitHealth) -> Bool {
        (a.verdict.health.severity, b.name) > (b.verdict.health.severity, a.name)
    }
}
