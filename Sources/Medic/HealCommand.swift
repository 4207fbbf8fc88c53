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

    @OptionGroup var playbookOptions: PlaybookOptions

    @Option(name: .customLong("playbook"), help: "Use this playbook only.")
    var playbookName: String?

    @Option(name: .customLong("journal-directory"), help: ArgumentHelp("Read journal files from this directory for playbooks that match on journal lines (default: the machine's journal).", valueName: "dir"))
    var journalDirectory: String?

    @Flag(name: .customLong("dry-run"), help: "Decide and print the plan, change nothing.")
    var dryRun = false

    @Flag(name: .customLong("force"), help: "Run a playbook even on a unit that is healthy now.")
    var force = false

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func run() async throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("heal takes one unit name, not a pattern: \(unit)") }
        var playbooks = try playbookOptions.load()
        if let playbookName {
            playbooks = playbooks.filter { $0.name == playbookName }
            guard !playbooks.isEmpty else { throw MedicFailure("no playbook named \(playbookName) in \(playbookOptions.searchPaths.joined(separator: ", "))") }
        }

        let configuration = try state.configuration()
        let store = try state.openStore()
        let report = try await Healing.heal(pattern, playbooks: playbooks, address: manager.address, dryRun: dryRun, force: force, store: store,
                                            journal: JournalLines(directory: journalDirectory), configuration: configuration)
        switch report.outcome {
        case .recovered, .dryRun: return
        case .interrupted: throw ExitCode(130)
        case .rolledBack, .failed, .escalated, .abandoned: throw ExitCode(3)
        }
    }
}
