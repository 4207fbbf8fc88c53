import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicEngine
import MedicStore
import SystemdBus

/// Runs one correction now, printing the plan, every step, the verification and the outcome; shared
/// by `medic heal` and the demo.
enum Healing {
    /// - Parameter store: where the correction is recorded (an open intent before the first change,
    ///   each step as it ends, the outcome last); nil to record nothing.
    /// - Parameter force: run a playbook even on a unit that is healthy now.
    static func heal(_ pattern: UnitPattern, playbooks: [Playbook], address: BusAddress, dryRun: Bool, force: Bool = false, store: MedicStore? = nil, journal: JournalLines = JournalLines(), configuration: MedicConfiguration = MedicConfiguration()) async throws -> CorrectionReport {
        var health: UnitHealth
        do {
            guard let found = try await StatusReader(address: address, patterns: [pattern]).read().first else {
                throw MedicFailure("\(pattern.text) is not loaded")
            }
            health = found
        } catch let error as BusError {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        if health.snapshot.loadState == "not-found" { throw MedicFailure("\(health.name): no such unit") }
        if health.verdict.health == .healthy && !force && !configuration.protection.isProtected(health.name) {
            throw MedicFailure("\(health.name) is healthy (\(health.verdict.reason)): nothing to heal (--force runs a playbook anyway)")
        }
        Output.line("\(health.name): \(health.verdict.text)")
        if force && health.verdict.health != .failed {
            health.verdict = HealthVerdict(.failed, "forced by the operator (was \(health.verdict.text))")
        }

        var planner = CorrectionPlanner(playbooks: playbooks, protection: configuration.protection, limits: configuration.limits, dryRun: dryRun)
        planner.manual = true
        planner.learning = configuration.learning
        // What earlier corrections left: the guards, and what was learned.
        let history = try await store?.pastCorrections() ?? []
        let statistics = LearnedStatistics(history: history, resets: try await store?.statisticsResets() ?? [:])
        let guards = GuardState.rebuild(from: history, playbooks: playbooks)[health.name] ?? [:]
        let lines = journal.lines(of: health.name)
        let situation = CorrectionPlanner.Situation(unit: health, journal: lines, statistics: statistics, guards: guards, now: Date().timeIntervalSince1970)
        Output.line("failure signature: \(situation.failureSignature.key)")
        let decision = planner.decide(situation)
        let plan: CorrectionPlan
        switch decision {
        case .act(let chosen): plan = chosen
        case .wait(_, let reason), .none(let reason), .escalate(_, _, let reason): throw MedicFailure("not acting: \(reason)")
        }
        Output.line("plan: \(plan.reason)\(plan.dryRun ? " (dry-run)" : "")")
        if !plan.alternatives.isEmpty { Output.line("alternatives, in order: \(plan.alternatives.joined(separator: ", "))") }

        let runner: JobRunner
        do {
            runner = try await JobRunner.open(address)
        } catch {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        defer { runner.close() }
        let verifier = HealthVerifier(address: address, logger: Logger(label: "medic.heal"))
        var executor = CorrectionExecutor(actions: BusUnitActions(runner: runner)) { request in
            Output.line("verifying: healthy for \(FailureDescription.duration(request.healthyFor)) within \(FailureDescription.duration(request.within))")
            var outcome = await verifyShowingProgress(verifier, request)
            if outcome.verified, plan.playbook.verify.burnRateBelow != nil {
                outcome.detail += " (burn-rate-below is checked by medic run, which keeps the SLO figures)"
            }
            Output.line("verification: \(outcome.detail)")
            return outcome
        }
        let correction = try await store?.openCorrection(CorrectionIntent(
            unit: plan.unit, playbook: plan.playbook.name, reason: plan.reason, alternatives: plan.alternatives, dryRun: plan.dryRun,
            startedAt: Date().timeIntervalSince1970, signature: plan.signature?.key ?? "", trigger: TriggerDescription.describe(plan.playbook.trigger, manual: true, report: nil),
            rank: plan.rank, journal: JournalExcerpt.cap(lines ?? [])
        ))
        executor.abandonIfActive = !force
        executor.onStep = { step in
            let prefix = step.isRollback ? "rollback: " : "step: "
            Output.line("\(prefix)\(step.action): \(step.outcome)\(step.error.map { " (\($0))" } ?? "")")
        }
        // Each step on record as started before its call, then its end (also after Ctrl-C).
        if let store, let correction { StepRecorder(store: store, correction: correction).attach(to: &executor) }
        let snapshot = health.snapshot
        // Ctrl-C (or SIGTERM) cancels the correction: what was done is undone, and it is recorded as interrupted.
        let report: CorrectionReport = await withTaskGroup(of: CorrectionReport?.self) { group in
            let executor = executor
            group.addTask { await executor.execute(plan, unit: snapshot) }
            group.addTask {
                await Interrupt.wait()
                return nil
            }
            while let next = await group.next() {
                if let next {
                    group.cancelAll()
                    return next
                }
                if !Task.isCancelled { Output.error("interrupted: undoing what was done") }
                group.cancelAll()
            }
            preconditionFailure("the correction's task always returns a report")
        }
        Output.line("outcome: \(report.outcome.rawValue)")
        if let store, let correction {
            try await store.closeCorrection(correction, state: report.outcome.rawValue, verification: report.verification, at: report.ended,
                                            recoverySeconds: report.recoverySeconds(healthyFor: plan.playbook.verify.healthyFor))
            Output.line("recorded as correction #\(correction)")
        }
        if report.outcome == .dryRun || report.steps.contains(where: { $0.outcome == "failed" && !$0.isRollback }) {
            Output.line("verification: \(report.verification ?? "none")")
        }
        return report
    }

    /// Verifies; on a terminal, one line is rewritten as verification goes on ("healthy for 12s of 30s").
    private static func verifyShowingProgress(_ verifier: HealthVerifier, _ request: VerificationRequest) async -> (verified: Bool, detail: String) {
        guard isatty(STDOUT_FILENO) == 1 else { return await verifier.verify(request) }
        let outcome = await verifier.verify(request, progress: { Output.progress($0) })
        Output.progress(nil)
        return outcome
    }
}
