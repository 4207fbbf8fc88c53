import ArgumentParser
import Foundation
import MedicConfig

/// `medic config`: work with medic.yaml.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file.",
        subcommands: [ConfigCheckCommand.self]
    )
}

/// `medic config check`: validates medic.yaml and lists every problem.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration; print every problem as file:line:column: field: message (exit 1 if any).",
        discussion: "The file must pass the checks `medic run` makes: a regular file of at most 1 MiB, owned by you or root, writable by nobody else, in directories that are just as safe."
    )

    @Flag(name: .customLong("skip-permission-checks"), help: "Do not check ownership and permissions (to validate a file in a build tree).")
    var skipPermissionChecks = false

    @Argument(help: ArgumentHelp("The configuration file (default /etc/medic/medic.yaml as root, $XDG_CONFIG_HOME/medic/medic.yaml otherwise).", valueName: "file"))
    var file: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let isRoot = geteuid() == 0
        let path = file ?? ConfigLoader.defaultPath(isRoot: isRoot, environment: environment)
        let outcome = ConfigLoader.check(explicitPath: path, isRoot: isRoot, environment: environment,
                                         trustedOwner: skipPermissionChecks ? nil : RunCommand.trustedOwner)
        for problem in outcome.problems { Output.line(problem.description) }
        let count = outcome.problems.count
        Output.line("\(path): \(count == 0 ? "valid" : count == 1 ? "1 problem" : "\(count) problems")")
        if count > 0 { throw ExitCode(1) }
    }
}
