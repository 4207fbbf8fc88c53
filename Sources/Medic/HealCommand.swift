import ArgumentParser
import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicEngine
import MedicStore
import SystemdBus

/// `medic heal`: runs the best matching playbook on a unit now, printing each step.
struct HealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal",
        abstract: "Run the best matching playbook on a unit now (exit 0 when verified healthy).",
        discussion: "Triggers, cooldowns and backoffs are not waited for; protected units, systemd's own restarts, quarantined playbooks and playbooks suppressed by what was learned still hold."
    )

    @OptionGroup var manager: ManagerOptions

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise).", valueName: "path"))
    var playbookPaths: [String] = []

    @Option(name: .customLong("playbook"), help: "Use this playbook only.")
    var playbookName: String?

    @Option(name: .customLong("journal-directory"), help: ArgumentHelp("Read journal files from this directory for playbooks that match on journal lines (default: the machine's journal).", valueName: "dir"))
    var journalDirectory: String?

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

        let configuration = try state.configuration()
        let store = try state.openStore()
        let report = try await Healing.heal(pattern, playbooks: playbooks, address: manager.address, dryRun: dryRun, store: store,
                                            journal: JournalLines(directory: journalDirectory), configuration: configuration)
        switch report.outcome {
        case .recovered, .dryRun: return
        case .rolledBack, .failed: throw ExitCode(3)
        }
    }
}
