import Foundation
import MedicCore
import ProcessRunner
import SystemdBus

/// Carries a `CorrectionPlan` out: runs its steps through `UnitActions`, verifies the unit recovered,
/// and rolls back what it changed when it did not. In dry-run it records the plan and changes nothing.
public struct CorrectionExecutor: Sendable {
    public var actions: any UnitActions
    /// Verification of the unit after the steps -> outcome and detail.
    public var verify: @Sendable (VerificationRequest) async -> (Bool, String)
    public var clock: WallClock
    /// How long a job may take before the step counts as failed.
    public var jobTimeout: Double = 90
    /// Called as each step ends, before the next begins (to print it, to write it to the history).
    public var onStep: @Sendable (StepRecord) async -> Void = { _ in }
    /// Called just before a step's call is issued, with the value a property change is about to
    /// replace: (action, started, isRollback, captured). A crash between the call and its end then
    /// leaves the step on record, and recovery knows what may have been changed.
    public var onStepStart: @Sendable (String, Double, Bool, UInt64?) async -> Void = { _, _, _, _ in }
    /// Whether a plan is given up when the unit turns out to be running again just before the first
    /// step (false for `medic heal --force`).
    public var abandonIfActive = true
    /// Whether the executed steps are undone when the correction is cancelled midway (Ctrl-C during
    /// `medic heal`); false when the unit is gone.
    public var undoWhenInterrupted = true
    /// Seconds past RestartSec= that a failed unit still counts as awaiting systemd's own restart.
    public var restartGrace: Double = 2
    /// Units whose start failed because the corrected unit failed: started, as steps of this
    /// correction, once it has recovered (the root cause healed first, then what it took down).
    public var dependents: @Sendable () async -> [String] = { [] }
    /// The recorded correction's number, for what notify steps send.
    public var correctionID: Int64?

    public init(actions: any UnitActions, clock: WallClock = .system, verify: @escaping @Sendable (VerificationRequest) async -> (Bool, String)) {
        self.actions = actions
        self.clock = clock
        self.verify = verify
    }

    public func execute(_ plan: CorrectionPlan, unit snapshot: UnitSnapshot) async -> CorrectionReport {
        let started = clock.now()
        var report = CorrectionReport(unit: plan.unit, playbook: plan.playbook.name, reason: plan.reason, steps: [], verification: nil, outcome: .failed, started: started, ended: started)
        if plan.dryRun {
            for planned in plan.steps { await record(&report, planned.step.action, at: clock.now(), outcome: "dry-run", error: nil) }
            report.outcome = .dryRun
            report.verification = "not verified: dry-run changes nothing"
            report.ended = clock.now()
            return report
        }
        if plan.playbook.notifiesOnly { return await notify(plan, snapshot: snapshot, report: report) }
        if let why = await reasonToAbandon(plan, snapshot: snapshot) {
            report.outcome = .abandoned
            report.verification = "abandoned before the first step: \(why)"
            report.ended = clock.now()
            return report
        }
        var executed: [(PlannedStep, UInt64?)] = []
        var failed = false
        let stepsBegan = clock.now()
        for planned in plan.steps {
            if Task.isCancelled { break }
            let begin = clock.now()
            do {
                let captured = try await perform(planned.step, on: plan.unit, snapshot: snapshot, begin: begin, attempt: plan.attempt, plan: plan)
                executed.append((planned, captured))
                await record(&report, planned.step.action, at: begin, outcome: "done", error: nil, captured: captured)
            } catch {
                await record(&report, planned.step.action, at: begin, outcome: Task.isCancelled ? "interrupted" : "failed", error: "\(error)")
                if case .notify = planned.step { continue }  // a failed notification does not fail the fix
                failed = true
                break
            }
        }
        if Task.isCancelled {
            return await interrupted(plan, executed: executed, snapshot: snapshot, report: report)
        }
        if !failed {
            let request = VerificationRequest(unit: plan.unit, healthyFor: plan.playbook.verify.healthyFor, within: plan.playbook.verify.within, stepsBegan: stepsBegan)
            let (verified, detail) = Self.ranBatchJob(executed, snapshot: snapshot)
                ? (true, "the run started by the correction finished successfully (Type=oneshot: its start job completed)")
                : await verify(request)
            if Task.isCancelled { return await interrupted(plan, executed: executed, snapshot: snapshot, report: report) }
            report.verification = detail
            if verified {
                report.outcome = .recovered
                await startDependents(&report)
                report.ended = clock.now()
                return report
            }
        } else {
            report.verification = "not verified: a step failed"
        }
        if plan.playbook.rollback == .automatic {
            report.steps += await rollback(executed, unit: plan.unit, snapshot: snapshot)
            report.outcome = .rolledBack
        } else {
            report.outcome = .failed
        }
        report.ended = clock.now()
        return report
    }

    /// Starts the units that failed because this one had: each a step of its own ("start app.service");
    /// one that does not start is recorded as such and does not undo the recovery.
    private func startDependents(_ report: inout CorrectionReport) async {
        let units = await dependents()
        for unit in units where unit != report.unit {
            let begin = clock.now()
            await onStepStart("start \(unit)", begin, false, nil)
            do {
                try await job(.start, unit)
                await record(&report, "start \(unit)", at: begin, outcome: "done", error: nil)
            } catch {
                await record(&report, "start \(unit)", at: begin, outcome: "failed", error: "\(error)")
            }
        }
        if !units.isEmpty, let verification = report.verification {
            report.verification = verification + "; then started what had failed because of it: " + units.joined(separator: ", ")
        }
    }

    /// A oneshot service (a batch job) is recovered by one successful run: its start job completes
    /// only when the run has ended in success (a failed run fails the job, and so the step). Its
    /// unit may be unloaded at once afterwards, so the job is the evidence, not the unit's state.
    static func ranBatchJob(_ executed: [(PlannedStep, UInt64?)], snapshot: UnitSnapshot) -> Bool {
        guard snapshot.serviceType == "oneshot" else { return false }
        guard let last = executed.last(where: { [.start, .restart, .stop].contains($0.0.step) }) else { return false }
        return last.0.step != .stop
    }

    /// Re-reads the unit from the manager just before the first step: a plan decided on a state that
    /// no longer holds is given up (systemd is handling the unit, it is running again, or it is gone).
    private func reasonToAbandon(_ plan: CorrectionPlan, snapshot: UnitSnapshot) async -> String? {
        let fresh: UnitSnapshot?
        do {
            fresh = try await actions.snapshot(of: plan.unit)
        } catch {
            return nil  // the steps will meet the same trouble and say so
        }
        guard let fresh else { return "\(plan.unit) no longer exists" }
        let now = clock.now()
        let health = UnitHealth(snapshot: fresh, verdict: HealthVerdict(.failed, "as read before the first step"))
        if let busy = SystemdActivity.busy(health, now: now, restartGrace: restartGrace) { return busy }
        if abandonIfActive, fresh.activeState == "active", snapshot.activeState != "active" {
            return "\(plan.unit) is active again (\(fresh.subState))"
        }
        return nil
    }

    /// An escalation: its notifications are sent and nothing else happens; it is not verified, and it
    /// ends `escalated` whether or not a notification could be delivered (the detail says which).
    private func notify(_ plan: CorrectionPlan, snapshot: UnitSnapshot, report initial: CorrectionReport) async -> CorrectionReport {
        var report = initial
        var delivered = 0
        for planned in plan.steps {
            let begin = clock.now()
            do {
                _ = try await perform(planned.step, on: plan.unit, snapshot: snapshot, begin: begin, plan: plan)
                delivered += 1
                await record(&report, planned.step.action, at: begin, outcome: "done", error: nil)
            } catch {
                await record(&report, planned.step.action, at: begin, outcome: "failed", error: "\(error)")
            }
        }
        report.outcome = .escalated
        report.verification = delivered > 0 ? "escalated: a person was notified; not verified" : "escalated, but no notification could be delivered"
        report.ended = clock.now()
        return report
    }

    /// The correction was cancelled midway: what was done is undone (outside the cancelled task, so
    /// the bus calls are not cut short), unless the unit is gone.
    private func interrupted(_ plan: CorrectionPlan, executed: [(PlannedStep, UInt64?)], snapshot: UnitSnapshot, report initial: CorrectionReport) async -> CorrectionReport {
        var report = initial
        report.outcome = .interrupted
        report.verification = "interrupted before it could be verified"
        if undoWhenInterrupted && plan.playbook.rollback == .automatic {
            let executor = self
            report.steps += await Task { await executor.rollback(executed, unit: plan.unit, snapshot: snapshot) }.value
        }
        report.ended = clock.now()
        return report
    }

    /// Undoes executed steps in reverse order (also used to finish a correction a crash interrupted):
    /// each pair is a step and the property value it replaced, if any.
    public func rollback(_ executed: [(PlannedStep, UInt64?)], unit: String, snapshot: UnitSnapshot) async -> [StepRecord] {
        var records: [StepRecord] = []
        for (planned, captured) in executed.reversed() {
            let begin = clock.now()
            let step: StepRecord
            do {
                guard let action = try await undo(planned, captured: captured, on: unit, snapshot: snapshot, begin: begin) else { continue }
                step = StepRecord(action: action, started: begin, ended: clock.now(), outcome: "undone", error: nil, isRollback: true, captured: nil)
            } catch {
                step = StepRecord(action: "undo \(planned.step.action)", started: begin, ended: clock.now(), outcome: "failed", error: "\(error)", isRollback: true, captured: nil)
            }
            records.append(step)
            await onStep(step)
        }
        return records
    }

    private func record(_ report: inout CorrectionReport, _ action: String, at begin: Double, outcome: String, error: String?, rollback: Bool = false, captured: UInt64? = nil) async {
        let step = StepRecord(action: action, started: begin, ended: clock.now(), outcome: outcome, error: error, isRollback: rollback, captured: captured)
        report.steps.append(step)
        await onStep(step)
    }

    /// Runs one step; returns the property value it replaced, for set-property. `onStepStart` is
    /// called just before the call that changes anything.
    private func perform(_ step: PlaybookStep, on unit: String, snapshot: UnitSnapshot, begin: Double, isRollback: Bool = false, attempt: Int = 1,
                         plan: CorrectionPlan? = nil) async throws -> UInt64? {
        if case .setProperty = step {} else { await onStepStart(step.action, begin, isRollback, nil) }
        switch step {
        case .restart: try await job(.restart, unit)
        case .start: try await job(.start, unit)
        case .stop: try await job(.stop, unit)
        case .reload: try await job(.reload, unit)
        case .resetFailed: try await actions.resetFailed(unit)
        case .kill(let signal, let whom): try await actions.kill(unit, whom: whom.rawValue, signal: signal)
        case .setProperty(let name, let change, let limit):
            let current = try await actions.property(name, of: unit)
            let value = try PropertyArithmetic.newValue(for: name, change: change, current: current, limit: limit, attempt: attempt)
            await onStepStart(step.action, begin, isRollback, current)
            try await actions.setProperty(name, of: unit, to: value)
            return current
        case .run(let argv, _, let timeout, let user):
            try await CommandStep.run(argv, user: user, timeout: timeout, unit: snapshot)
        case .wait(let seconds):
            try await Task.sleep(for: .seconds(seconds))
        case .notify(.command(let argv)):
            try await CommandStep.run(argv, user: nil, timeout: 30, unit: snapshot)
        case .notify(.webhook(let url)):
            let notice = plan.map { WebhookNotice(plan: $0, unit: snapshot, correctionId: correctionID) }
                ?? WebhookNotice(unit: snapshot, playbook: nil, correctionId: correctionID, outcome: "running", reason: "", severity: "info")
            try await CommandStep.post(to: url, notice: notice)
        }
        return nil
    }

    /// Undoes one executed step; returns the action's name, or nil when there was nothing to undo.
    private func undo(_ planned: PlannedStep, captured: UInt64?, on unit: String, snapshot: UnitSnapshot, begin: Double) async throws -> String? {
        switch planned.undo {
        case .nothing:
            return nil
        case .step(let inverse):
            _ = try await perform(inverse, on: unit, snapshot: snapshot, begin: begin, isRollback: true)
            return inverse.action
        case .restoreProperty(let name):
            guard let captured else { throw CommandStep.Failure(description: "the previous \(name) was not captured") }
            await onStepStart("restore \(name)", begin, true, captured)
            try await actions.setProperty(name, of: unit, to: captured)
            return "restore \(name)"
        }
    }

    private func job(_ verb: SystemdManager.JobVerb, _ unit: String) async throws {
        let outcome = try await actions.job(verb, unit: unit, timeout: jobTimeout)
        guard outcome.succeeded else {
            throw CommandStep.Failure(description: outcome == .timedOut ? "the job did not finish within \(Int(jobTimeout)) s" : "the job ended \(outcomeWord(outcome))")
        }
    }

    private func outcomeWord(_ outcome: JobRunner.Outcome) -> String {
        if case .finished(let word) = outcome { return word }
        return "without a result"
    }
}
