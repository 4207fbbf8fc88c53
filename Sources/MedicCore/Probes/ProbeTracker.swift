/// One unit's probe over time: when it is due, and what its results in a row make of it. Pure; the
/// engine runs the probes and hands their results in.
///
/// A probe runs only while systemd says the unit serves (active, not reloading), and not before
/// `startGrace` has passed since it began to: a stopped, starting or reloading unit is systemd's
/// business, and its probe pauses, forgetting the results in a row, so that a restarted unit is
/// judged afresh.
public struct ProbeTracker: Sendable, Equatable {
    /// Where the probe stands.
    public enum Status: String, Sendable, Equatable {
        /// The unit does not serve now: no probes.
        case paused
        /// Probing, with too few results in a row yet to say.
        case pending
        case passing
        /// `failureThreshold` failures in a row, not yet followed by `successThreshold` passes.
        case failing
    }

    /// What a failing probe makes of a unit systemd calls active.
    public struct Finding: Sendable, Equatable {
        public var health: Health
        public var reason: String

        public init(health: Health, reason: String) {
            self.health = health
            self.reason = reason
        }
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

    /// Whether systemd says the unit serves now (active and not reloading), and since when.
    public mutating func unit(serves: Bool, since: Double) {
        if !serves {
            status = .paused
            servingSince = nil
            failuresInARow = 0
            passesInARow = 0
            return
        }
        guard servingSince == nil else { return }
        servingSince = since
        status = .pending
    }

    /// When the next probe is due; nil while paused. The first comes once the start grace is over.
    public func nextProbe() -> Double? {
        guard let servingSince else { return nil }
        let first = servingSince + spec.startGrace
        guard let lastResult, lastResult.time >= first else { return first }
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

    /// What the probe says of the unit while it fails: the configured health class and a reason
    /// naming the probe and its last error. nil otherwise.
    public var finding: Finding? {
        guard status == .failing, let lastResult else { return nil }
        return Finding(health: spec.failureIs,
                       reason: "probe \(spec.kind.label) failing: \(lastResult.detail) (\(failuresInARow > 0 ? "\(failuresInARow) failures in a row" : "\(passesInARow) of \(spec.successThreshold) passes needed"))")
    }
}
