/// Decides a unit's health class and reason from its snapshot, its restart history and the units that
/// trigger it. Pure: the same inputs always give the same verdict.
public struct HealthClassifier: Sendable {
    public var policy: HealthPolicy

    public init(policy: HealthPolicy = HealthPolicy()) {
        self.policy = policy
    }

    /// - Parameters:
    ///   - restarts: the unit's restart history.
    ///   - now: seconds since the epoch.
    ///   - lookup: other units by name, to describe triggers (a timer's next elapse).
    public func classify(
        _ unit: UnitSnapshot,
        restarts: RestartHistory = RestartHistory(),
        now: Double,
        lookup: (String) -> UnitSnapshot? = { _ in nil }
    ) -> HealthVerdict {
        if let verdict = classifyLoadState(unit) { return verdict }

        let recent = restarts.count(within: policy.flapWindow, now: now)
        let expiry = restarts.nextExpiry(window: policy.flapWindow, now: now)
        let window = FailureDescription.duration(policy.flapWindow)
        let last = restarts.lastFailure.map { ", last \($0)" } ?? ""
        // A storm is remembered in part only: its count is a floor.
        let counted = restarts.exceedsCount(within: policy.flapWindow, now: now) ? "more than \(recent)" : "\(recent)"
        let flapping = HealthVerdict(.degraded, "flapping: \(counted) restarts in \(window)\(last)", cause: .flapping, recheckAt: expiry)
        let crashLoop = recent >= policy.crashLoopRestarts
        let loopReason = "crash loop: \(counted) restarts in \(window)\(last)"
        if unit.activeState == "failed" {
            // systemd marks a unit failed for an instant before its Restart= policy restarts it: that
            // is systemd at work, never a failure to correct, however many restarts came before.
            if let pending = pendingAutoRestart(unit, now: now) {
                guard recent >= policy.flapRestarts else { return pending }
                let recheck = min(pending.recheckAt ?? .infinity, expiry ?? .infinity)
                return HealthVerdict(.degraded, (crashLoop ? loopReason : flapping.reason) + "; systemd restarts it again",
                                     cause: crashLoop ? .crashLoop : .flapping, recheckAt: recheck)
            }
            if crashLoop { return HealthVerdict(.failed, "\(loopReason); systemd no longer restarts it", cause: .crashLoop, recheckAt: expiry) }
            if unit.restartPolicyApplies {
                // Restart= applies, yet the unit stays failed: systemd refused the restart (its start
                // limit), and keeps the first failure's Result rather than start-limit-hit.
                return HealthVerdict(.failed, "failed: \(FailureDescription.describe(unit)); systemd no longer restarts it (Restart=\(unit.restartPolicy ?? ""): start limit hit)", recheckAt: expiry)
            }
            return HealthVerdict(.failed, "failed: \(FailureDescription.describe(unit))")
        }
        // A unit that runs (or is being restarted by systemd) now is not failed: its restarts
        // describe its recent past, which makes it degraded, not a unit to correct.
        if crashLoop { return HealthVerdict(.degraded, loopReason, cause: .crashLoop, recheckAt: expiry) }
        if recent >= policy.flapRestarts { return flapping }
        let verdict = classifyActiveState(unit, now: now, lookup: lookup)
        guard let expiry else { return verdict }
        return HealthVerdict(verdict.health, verdict.reason, cause: verdict.cause, recheckAt: min(verdict.recheckAt ?? expiry, expiry))
    }

    /// systemd marks a unit failed for an instant before its `Restart=` policy restarts it: within
    /// RestartSec plus a grace period that is "restarting", not yet "failed".
    private func pendingAutoRestart(_ unit: UnitSnapshot, now: Double) -> HealthVerdict? {
        guard let deadline = unit.automaticRestartDeadline(grace: policy.restartGrace), now < deadline else { return nil }
        return HealthVerdict(.degraded, "restarting after \(FailureDescription.describe(unit)) (Restart=\(unit.restartPolicy ?? ""))", cause: .restarting, recheckAt: deadline)
    }

    private func classifyLoadState(_ unit: UnitSnapshot) -> HealthVerdict? {
        switch unit.loadState {
        case "loaded", "stub", "merged": break
        case "not-found": return HealthVerdict(.unknown, "unit not found")
        case "bad-setting": return HealthVerdict(.unknown, "unit file has a bad setting")
        case "error": return HealthVerdict(.unknown, "unit failed to load")
        case "masked": return HealthVerdict(.unknown, "unit is masked")
        case "": return HealthVerdict(.unknown, "load state not readable")
        default: return HealthVerdict(.unknown, "unrecognised load state \(unit.loadState)")
        }
        return nil
    }

    private func classifyActiveState(_ unit: UnitSnapshot, now: Double, lookup: (String) -> UnitSnapshot?) -> HealthVerdict {
        let sub = unit.subState
        let since = unit.stateChangeMicros.map { Double($0) / 1_000_000 }
        switch unit.activeState {
        case "active":
            // systemd says it runs; its probe says whether it serves.
            if let verdict = unit.probe?.verdict(for: unit) { return verdict }
            return classifyActive(unit, lookup: lookup)
        case "reloading":
            return bounded(since, now: now, bound: policy.reloadTooLong,
                           within: HealthVerdict(.healthy, "reloading"),
                           beyond: { HealthVerdict(.degraded, "reloading for \(FailureDescription.duration($0))", cause: .stuck) })
        case "activating" where sub == "auto-restart":
            return HealthVerdict(.degraded, "restarting after \(FailureDescription.describe(unit))", cause: .restarting)
        case "activating":
            return bounded(since, now: now, bound: policy.stuckTransition,
                           within: HealthVerdict(.healthy, "starting (\(sub))"),
                           beyond: { HealthVerdict(.degraded, "stuck activating (\(sub)) for \(FailureDescription.duration($0))", cause: .stuck) })
        case "deactivating":
            return bounded(since, now: now, bound: policy.stuckTransition,
                           within: HealthVerdict(.idle, "stopping (\(sub))"),
                           beyond: { HealthVerdict(.degraded, "stuck deactivating (\(sub)) for \(FailureDescription.duration($0))", cause: .stuck) })
        case "inactive":
            return classifyInactive(unit, lookup: lookup)
        case "":
            return HealthVerdict(.unknown, "active state not readable")
        default:
            return HealthVerdict(.unknown, "unrecognised active state \(unit.activeState)/\(sub)")
        }
    }

    /// `within` until `bound` seconds after `since`, then the verdict from `beyond` (given the elapsed time).
    private func bounded(_ since: Double?, now: Double, bound: Double, within: HealthVerdict, beyond: (Double) -> HealthVerdict) -> HealthVerdict {
        guard let since else { return within }
        let elapsed = now - since
        if elapsed >= bound { return beyond(elapsed) }
        return HealthVerdict(within.health, within.reason, cause: within.cause, recheckAt: since + bound)
    }

    private func classifyActive(_ unit: UnitSnapshot, lookup: (String) -> UnitSnapshot?) -> HealthVerdict {
        switch (unit.type, unit.subState) {
        case (.service, "running"):
            return HealthVerdict(.healthy, "running")
        case (.service, "exited"):
            return HealthVerdict(.healthy, unit.remainAfterExit == true ? "exited successfully, remains active (RemainAfterExit)" : "exited successfully")
        case (.timer, _):
            return HealthVerdict(.healthy, "waiting" + nextElapse(of: unit))
        default:
            return HealthVerdict(.healthy, "active (\(unit.subState))")
        }
    }

    private func classifyInactive(_ unit: UnitSnapshot, lookup: (String) -> UnitSnapshot?) -> HealthVerdict {
        if unit.hasJob {
            // Between an automatic restart's stop and start systemd briefly shows inactive/dead with a job queued.
            return HealthVerdict(.healthy, "starting (job queued)")
        }
        if let dependency = unit.dependencyFailure {
            // Its start failed on a dependency: systemd shows it inactive with Result=success, yet the
            // service is down because of a failure. That is failed, and its time is bad.
            return HealthVerdict(.failed, "failed: \(dependency.description)", cause: .dependency)
        }
        var reason: String
        if unit.startKey == nil {
            reason = "never started"
        } else if let result = unit.result, result != "success" {
            reason = "inactive, last run ended with \(FailureDescription.describe(unit))"
        } else {
            reason = "inactive, last run succeeded"
        }
        if let trigger = unit.triggeredBy.first {
            let elapse = lookup(trigger).map(nextElapse(of:)) ?? ""
            reason += "; triggered by \(trigger)" + elapse
        }
        return HealthVerdict(.idle, reason)
    }

    private func nextElapse(of timer: UnitSnapshot) -> String {
        guard timer.type == .timer, let next = timer.nextElapseMicros, next > 0, next != UInt64.max else { return "" }
        return ", next elapse \(Timestamp.rfc3339(micros: next))"
    }
}
