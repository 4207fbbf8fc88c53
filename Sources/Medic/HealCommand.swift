import ArgumentParser
import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicEngine
import SystemdBus

/// `medic heal`: runs the best matching playbook on a unit now, printing each step.
struct HealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal",
        abstract: "Run the best matching playbook on a unit now (exit 0 when verified healthy).",
        discussion: "Triggers are not waited for, but protected units, systemd's own restarts and the playbooks' guards still apply."
    )

    @OptionGroup var manager: ManagerOptions

    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise).", valueName: "path"))
    var playbookPaths: [String] = []

    @Option(name: .customLong("playbook"), help: "Use this playbook only.")
    var playbookName: String?

    @Flag(name: .customLong("dry-run"), help: "Decide and print the plan, change nothing.")
    var dryRun = false

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func run() async throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("heal takes one unit name, not a pattern: \(unit)") }
        let isRoot = geteuid() == 0
        let paths = playbookPaths.isEmpty ? [PlaybookLoader.defaultDirectory(isRoot: isRoot, environment: ProcessInfo.processInfo.environment)] : playbookPaths
        let set = PlaybookLoader.load(paths: paths, trustedOwner: isRoot ? 0 : geteuid())
        guard set.isValid else {
            for problem in set.problems { Output.error(problem.description) }
            throw MedicFailure("refusing an invalid playbook set (\(set.problems.count) problems)")
        }
        var playbooks = set.playbooks
        if let playbookName {
            playbooks = playbooks.filter { $0.name == playbookName }
            guard !playbooks.isEmpty else { throw MedicFailure("no playbook named \(playbookName) in \(paths.joined(separator: ", "))") }
        }

        let address = manager.address
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
        guard case .act(let plan) = decision else {
            switch decision {
            case .wait(_, let reason), .none(let reason), .escalate(_, _, let reason): throw MedicFailure("not acting: \(reason)")
            case .act: fatalError("unreachable")
            }
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
            return await verifier.verify(unit: unit, healthyFor: healthyFor, within: within)
        }
        executor.onStep = { step in
            let prefix = step.isRollback ? "rollback: " : "step: "
            Output.line("\(prefix)\(step.action): \(step.outcome)\(step.error.map { " (\($0))" } ?? "")")
        }
        let report = await executor.execute(plan, unit: health.snapshot)
        if let verification = report.verification { Output.line("verification: \(verification)") }
        Output.line("outcome: \(report.outcome.rawValue)")
        switch report.outcome {
        case .recovered, .dryRun: return
        case .rolledBack, .failed: throw ExitCode(3)
        }
    }
}
