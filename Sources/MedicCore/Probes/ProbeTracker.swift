/// One unit's probe over time: when it is due, and what its results in a row make of it. Pure; the
/// engine runs the probes and hands their results in.
///
/// A probe runs only while systemd says the unit serves (active, not reloading), and not before
/// `startGrace` has passed since it began to: a stopped, starting or reloading unit is systemd's
/// business, and its probe pauses, forgetting the results in a row, so that a restarted unit is
/// judged afresh.
public struct ProbeTracker: Sendable, Equatable {
    /// Where the probe stands.
    public enum Status: String, Sendable, Equatable, Codable {
        /// The unit does not serve now: no probes.
        case paused
        /// Probing, with too few results in a row yet to say.
        case pending
        case passing
        /// `failureThreshold` failures in a row, not yet followed by `successThreshold` passes.
        case failing
    }

    public let spec: ProbeSpec
    public private(set) var status: Status = .paused
    public private(set) var failuresInARow = 0
    public private(set) var passesInARow = 0
    public private(set) var lastResult: ProbeResult?
    /// Since when the unit serves, while it does.
    public private(set) var servingSince: Double?

    public init(spec: ProbeSpec) {
        self.spec = spec
    }

    /// The run of the unit whose results count now (its start key); nil while paused.
    public private(set) var run: String?

    /// Whether systemd says the unit serves now (active and not reloading) and, when it does, which
    /// run (its start key) since when. A new run starts the probe afresh: the results of the previous
    /// one say nothing of it.
    public mutating func unit(serves: Bool, run: String? = nil, since: Double) {
        if !serves {
            status = .paused
            servingSince = nil
            self.run = nil
            failuresInARow = 0
            passesInARow = 0
            lastResult = nil  // a result speaks of its run only
            return
        }
        if servingSince != nil, run == self.run { return }
        if servingSince != nil { unit(serves: false, since: since) }
        servingSince = since
        self.run = run
        status = .pending
    }

    /// What the tracker says of the unit's run now, for its snapshot.
    public var state: ProbeState {
        ProbeState(status: status, label: spec.kind.label, detail: lastResult?.detail, failureIs: spec.failureIs, startKey: run, spread: spec.interval + spec.timeout, name: spec.name)
    }

    /// When the next probe is due; nil while paused. The first comes once the start grace is over.
    public func nextProbe() -> Double? {
        guard let servingSince else { return nil }
        let first = servingSince + spec.startGrace
        guard let lastResult else { return first }
        return lastResult.time + spec.interval
    }

    /// Takes in a probe's result; results while paused (a probe that was under way when the unit
    /// stopped) are dropped.
    public mutating func record(_ result: ProbeResult) {
        guard servingSince != nil else { return }
        lastResult = result
        if result.passed {
            passesInARow += 1
            failuresInARow = 0
            if passesInARow >= spec.successThreshold { status = .passing }
        } else {
            failuresInARow += 1
            passesInARow = 0
            if failuresInARow >= spec.failureThreshold { status = .failing }
        }
    }
}
