/// Tells failures that begin together (a burst: the cause is likely shared, so Medic alerts and does
/// not act) from independent ones, which are corrected as usual. Pure; the engine feeds it the
/// watched, unprotected units' failures and asks it before every decision.
///
/// A failure begins at the unit's StateChangeTimestamp into `failed`, so units that have been failed
/// for days do not look like a burst when Medic starts. A new failure is decided on only once
/// `massFailureSettle` has passed since it began, so that a burst is counted whole; the failures that
/// began within that time of it are its burst. Units of a held burst stay held until they recover or
/// the hold ends: when fewer of them than `massFailureCount` (or than were held, for a hold the share
/// rule started) are still failing, the shared cause is gone and the rest are corrected.
///
/// A failure found by an active probe is seen only when the unit's probe next runs: the probes of
/// units that lost a shared backend at the same moment cross their thresholds up to an interval
/// (plus a timeout) apart, so such a failure settles, and joins a burst, over that longer window.
public struct FailureBursts: Sendable, Equatable {
    public var limits: CorrectionLimits
    /// When each failing unit's failure began (seconds since the epoch).
    public private(set) var failingSince: [String: Double] = [:]
    /// A failing unit's own settle window when longer than `massFailureSettle` (a probe's).
    public private(set) var settleOf: [String: Double] = [:]
    /// The hold in force, if any.
    public private(set) var hold: Hold?

    public init(limits: CorrectionLimits = CorrectionLimits()) {
        self.limits = limits
    }

    /// Units held back together.
    public struct Hold: Sendable, Equatable {
        public var units: Set<String>
        /// When Medic decided to hold them.
        public var since: Double
        public var reason: String
    }

    /// Whether a unit may be decided on.
    public enum Verdict: Sendable, Equatable {
        case free
        /// Its failure began too recently: decide once the burst has settled.
        case settling(until: Double)
        case held(reason: String)
    }

    /// A change of the hold, to be logged and alerted once.
    public enum Change: Sendable, Equatable {
        case started(Hold)
        /// `recovered`: the units of the hold that are no longer failing.
        case ended(Hold, recovered: Set<String>)
    }

    /// A watched, unprotected unit's state: failing since `since`, or not failing (nil).
    /// `settle`: how far apart failures of a shared cause can be seen for this unit, when more than
    /// `massFailureSettle` (a probe's interval plus its timeout).
    public mutating func observe(_ name: String, failingSince since: Double?, settle: Double? = nil) -> Change? {
        if let since {
            if failingSince[name] == nil {
                failingSince[name] = since
                settleOf[name] = settle
            }
            return nil
        }
        settleOf[name] = nil
        guard failingSince.removeValue(forKey: name) != nil else { return nil }
        return endIfOver()
    }

    /// Whether `name` may be decided on now; starts a hold when its burst is a mass failure.
    /// - Parameter watched: how many watched, unprotected units there are.
    public mutating func verdict(for name: String, watched: Int, now: Double) -> (Verdict, Change?) {
        guard let since = failingSince[name] else { return (.free, nil) }
        if let hold, hold.units.contains(name) { return (.held(reason: hold.reason), nil) }
        let settle = max(limits.massFailureSettle, settleOf[name] ?? 0)
        if now < since + settle { return (.settling(until: since + settle), nil) }
        let burst = Set(failingSince.filter { abs($0.value - since) <= max(settle, settleOf[$0.key] ?? 0) }.keys)
        guard limits.isMassFailure(burst.count, of: watched) else { return (.free, nil) }
        if var existing = hold {
            existing.units.formUnion(burst)
            hold = existing
            return (.held(reason: existing.reason), nil)
        }
        let names = burst.sorted()
        let shown = names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", ..." : "")
        let percent = Int((limits.massFailureShare * 100).rounded())
        let reason = "\(names.count) of \(watched) watched units began failing together (\(shown)): the cause is likely shared, so Medic alerts and does not act"
            + " (threshold: \(limits.massFailureCount) units or \(percent) % failing within \(FailureDescription.precise(settle)) of each other)"
        let started = Hold(units: burst, since: now, reason: reason)
        hold = started
        return (.held(reason: reason), .started(started))
    }

    /// Ends the hold once fewer of its units than the threshold are still failing.
    private mutating func endIfOver() -> Change? {
        guard let current = hold else { return nil }
        let still = current.units.filter { failingSince[$0] != nil }
        // A hold the share rule started (fewer units than the count) ends when one of them recovers.
        guard still.count < min(limits.massFailureCount, current.units.count) else { return nil }
        hold = nil
        return .ended(current, recovered: current.units.subtracting(still))
    }
}
