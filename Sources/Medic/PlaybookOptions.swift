import ArgumentParser
import Foundation
import MedicConfig
import MedicCore

/// Where playbooks are read from, for the commands that decide corrections (`heal`, `explain`).
struct PlaybookOptions: ParsableArguments {
    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise).", valueName: "path"))
    var paths: [String] = []

    var searchPaths: [String] {
        paths.isEmpty ? [PlaybookLoader.defaultDirectory(isRoot: geteuid() == 0, environment: ProcessInfo.processInfo.environment)] : paths
    }

    /// The valid set, or every problem on stderr and a failure: a partly valid set is never used.
    func load() throws -> [Playbook] {
        let isRoot = geteuid() == 0
        let set = PlaybookLoader.load(paths: searchPaths, trustedOwner: isRoot ? 0 : geteuid())
        guard set.isValid else {
            for problem in set.problems { Output.error(problem.description) }
            throw MedicFailure("refusing an invalid playbook set (\(set.problems.count) problems)")
        }
        return set.playbooks
    }
}
