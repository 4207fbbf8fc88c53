import ArgumentParser
import Foundation
import MedicConfig

/// `medic playbook`: work with correction playbooks.
struct PlaybookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook",
        abstract: "Work with correction playbooks.",
        subcommands: [PlaybookCheckCommand.self, PlaybookListCommand.self]
    )
}

/// `medic playbook check`: validates playbook files and lists every problem.
struct PlaybookCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate playbooks; print every problem as file:line:column: message (exit 1 if any).",
        discussion: "As root, files and directories writable by anyone but root are refused, as the daemon refuses them."
    )

    @Flag(name: .customLong("skip-permission-checks"), help: "Do not check ownership and permissions (to validate files in a build tree).")
    var skipPermissionChecks = false

    @Argument(help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise).", valueName: "path"))
    var paths: [String] = []

    func run() throws {
        let isRoot = geteuid() == 0
        let paths = self.paths.isEmpty ? [PlaybookLoader.defaultDirectory(isRoot: isRoot, environment: ProcessInfo.processInfo.environment)] : self.paths
        let set = PlaybookLoader.load(paths: paths, trustedOwner: isRoot && !skipPermissionChecks ? 0 : nil)
        for problem in set.problems { Output.line(problem.description) }
        let warnings = set.playbooks.flatMap { playbook in playbook.warnings.map { "\(playbook.source): warning: \($0)" } }
        for warning in warnings { Output.line(warning) }
        let files = set.files == 1 ? "1 file" : "\(set.files) files"
        let problems = set.problems.count == 1 ? "1 problem" : "\(set.problems.count) problems"
        let warned = warnings.isEmpty ? "" : warnings.count == 1 ? ", 1 warning" : ", \(warnings.count) warnings"
        Output.line("\(files), \(set.playbooks.count) valid playbooks, \(problems)\(warned)")
        if !set.isValid { throw ExitCode(1) }
    }
}

/// `medic playbook list`: the playbooks `run`, `heal` and `explain` would use, and where they come from.
struct PlaybookListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the playbooks in use (installed, packaged or shipped) and where they come from."
    )

    @OptionGroup var playbookOptions: PlaybookOptions

    func run() throws {
        let location = playbookOptions.location
        Output.line("using \(location.description)")
        let playbooks = try PlaybookOptions.load(location)
        guard !playbooks.isEmpty else { return }
        let rows = playbooks.sorted { ($1.priority, $0.name) < ($0.priority, $1.name) }.map { playbook in
            [playbook.name, "\(playbook.priority)", playbook.trigger.rawValue, playbook.source]
        }
        for line in TextTable.lines(header: ["NAME", "PRIORITY", "TRIGGER", "FILE"], rows: rows) { Output.line(line) }
    }
}
