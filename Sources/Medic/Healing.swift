import Foundation
import Logging
import MedicCore
import MedicEngine
import SystemdBus

/// Runs one correction now, printing the plan, every step, the verification and the outcome; shared
/// by `medic heal` and the demo.
enum Healing {
    static func heal(_ pattern: UnitPattern, playbooks: [Playbook], address: BusAddress, dryRun: Bool) async throws -> CorrectionReport {
        let health: UnitHealth
        do {
            guard let found = try await StatusReader(address: address, patterns: [pattern]).read().first else {
                throw MedicFailure("\(pattern.text) is not loaded")
            }
            health = found
        } catch let error as BusError {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        Output.line("\(health.name): \(health.verdict.health.rawValue): \(health.verdict.reason)")

        var planner = CorrectionPlanner(playbooks: playbooks, dryRun: dryRun)
        planner.manual = true
        let decision = planner.decide(.init(unit: health, now: Date().timeIntervalSince1970))
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
        var executor = CorrectionExecutor(actions: BusUnitActions(runner: runner)) { unit, healthyFor, within in
            Output.line("verifying: healthy for \(FailureDescription.duration(healthyFor)) within \(FailureDescription.duration(within))")
            let outcome = await verifier.verify(unit: unit, healthyFor: healthyFor, within: within)
            Output.line("verification: \(outcome.detail)")
            return outcome
        }
        executor.onStep = { step in
            let prefix = step.isRollback ? "rollback: " : "step: "
            Output.line("\(prefix)\(step.action): \(step.outcome)\(step.error.map { " (\($0))" } ?? "")")
        }
        let report = await executor.execute(plan, unit: health.snapshot)
        if report.outcome == .dryRun || report.steps.contains(where: { $0.outcome == "failed" && !$0.isRollback }) {
            Output.line("verification: \(report.verification ?? "none")")
        }
        Output.line("outcome: \(report.outcome.rawValue)")
        return report
    }
}
