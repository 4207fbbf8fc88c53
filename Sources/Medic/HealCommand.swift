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
        discussion: "Triggers are not waited for, but protected units, systemd's own restarts and the playbooks' guards still apply."
    )

    @OptionGroup var manager: ManagerOptions

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Where the correction is recorded (default /var/lib/medic as root, $XDG_STATE_HOME/medic otherwise).", valueName: "dir"))
    var stateDirectory: String?

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

        let storePath = StateOptions.storePath(stateDirectory: stateDirectory)
        let store: MedicStore
        do {
            store = try MedicStore(path: storePath)
        } catch {
            throw MedicFailure("cannot open the history store \(storePath): \(error)")
        }
        let report = try await Healing.heal(pattern, playbooks: playbooks, address: manager.address, dryRun: dryRun, store: store, journal: JournalLines(directory: journalDirectory))
        switch report.outcome {
        case .recovered, .dryRun: return
        case .rolledBack, .failed: throw ExitCode(3)
        }
    }
}
