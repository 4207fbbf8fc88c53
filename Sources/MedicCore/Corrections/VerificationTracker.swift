/// What a correction's verification asks: the unit, how long it must stay healthy, the deadline, and
/// when the correction's steps began (a run of the unit that started before then is not its doing).
public struct VerificationRequest: Sendable, Equatable {
    public var unit: String
    public var healthyFor: Double
    public var within: Double
    /// Seconds since the epoch at which the correction's first step began.
    public var stepsBegan: Double

    public init(unit: String, healthyFor: Double, within: Double, stepsBegan: Double) {
        self.unit = unit
        self.healthyFor = healthyFor
        self.within = within
        self.stepsBegan = stepsBegan
    }
}

/// Decides a verification from what the unit does after the correction's last step. Pure: fed
/// observations and the time, it says whether the unit recovered, did not, or when to look again.
///
/// - A unit must stay healthy for `healthyFor` without interruption within `within` of the start;
///   a unit with an active probe counts as healthy only while its probe passes.
/// - It ends at once, not verified, when the unit fails again and systemd will not restart it
///   (the classifier's `failed`, which excludes a failure awaiting `Restart=`): waiting out the rest
///   of the window would only hold a correction slot.
/// - A oneshot service (a batch job) recovers when the run the correction started ended in success;
///   it never stays "healthy" for a while, it finishes.
public struct VerificationTracker: Sendable {
    public let request: VerificationRequest
    /// When verification began (after the last step).
    public let began: Double
    /// Since when the unit has been healthy without interruption.
    public private(set) var healthySince: Double?
    /// The last state seen, for the sentence in the history.
    public private(set) var last = "no state seen"
    private var decided: Outcome?

    /// Where verification stands.
    public enum Outcome: Sendable, Equatable {
        case verified(String)
        case notVerified(String)
        /// Undecided: look again at this time at the latest.
        case pending(until: Double)
    }

    public init(_ request: VerificationRequest, began: Double) {
        self.request = request
        self.began = began
    }

    /// Takes in one observation of the unit.
    public mutating func observe(_ unit: UnitHealth, at now: Double) {
        guard decided == nil else { return }
        let verdict = unit.verdict, snapshot = unit.snapshot
        last = verdict.text
        if snapshot.serviceType == "oneshot" {
            // A batch job is never "healthy for a while": its run finishes, or the window runs out.
            decided = Self.batchOutcome(snapshot, since: request.stepsBegan)
            return
        }
        if verdict.health == .failed, failedAfterSteps(snapshot) {
            decided = .notVerified("\(request.unit) failed again and systemd does not restart it (\(verdict.reason)); not waiting out the \(FailureDescription.duration(request.within)) window")
            return
        }
        // A unit with an active probe has recovered only once its probe passes again: systemd's
        // "running" is what it said while the unit did not serve.
        let serves = snapshot.probe.map { $0.status == .passing } ?? true
        if verdict.health == .healthy, let probe = snapshot.probe, !serves { last = "\(verdict.text); probe \(probe.summary)" }
        healthySince = verdict.health == .healthy && serves ? (healthySince ?? now) : nil
    }

    /// Unseen time is not healthy time: the streak starts again once systemd is back.
    public mutating func connectionLost(_ reason: String) {
        guard decided == nil else { return }
        last = "lost the connection to systemd (\(reason))"
        healthySince = nil
    }

    /// Records a problem that keeps the unit from being watched at all.
    public mutating func cannotWatch(_ reason: String) {
        guard decided == nil else { return }
        last = "cannot watch: \(reason)"
    }

    /// The outcome at `now`.
    public func outcome(at now: Double) -> Outcome {
        if let decided { return decided }
        let deadline = began + request.within
        if let since = healthySince, now - since >= request.healthyFor {
            return .verified("healthy for \(FailureDescription.duration(now - since)) without interruption")
        }
        if now >= deadline {
            return .notVerified("not healthy for \(FailureDescription.duration(request.healthyFor)) within \(FailureDescription.duration(request.within)); last seen \(last)")
        }
        if let since = healthySince { return .pending(until: min(since + request.healthyFor, deadline)) }
        return .pending(until: deadline)
    }

    /// A failure that happened after the steps began, not the one the correction was started for
    /// (a step that changed nothing leaves the old failure in place, and the window decides).
    private func failedAfterSteps(_ snapshot: UnitSnapshot) -> Bool {
        guard let change = snapshot.stateChangeMicros else { return false }
        return Double(change) / 1_000_000 >= request.stepsBegan
    }

    /// For a oneshot: the run started after the steps began, and it ended; nil while it has not.
    static func batchOutcome(_ snapshot: UnitSnapshot, since stepsBegan: Double) -> Outcome? {
        guard let start = snapshot.execMainStartMicros, Double(start) / 1_000_000 >= stepsBegan else { return nil }
        let finished = snapshot.activeState == "inactive" || snapshot.activeState == "failed"
            || (snapshot.activeState == "active" && snapshot.subState == "exited")
        guard finished, !snapshot.hasJob else { return nil }
        // A failed run that systemd's own Restart= runs again is not the end yet.
        if snapshot.activeState == "failed", snapshot.restartPolicyApplies { return nil }
        if snapshot.activeState != "failed", snapshot.result == "success" {
            return .verified("the run started by the correction finished successfully (Type=oneshot)")
        }
        return .notVerified("the run started by the correction failed: \(FailureDescription.describe(snapshot)) (Type=oneshot)")
    }
}
