import ArgumentParser
import Foundation
import Logging
import MedicEngine
import MedicStore
import SystemdJournal

/// The `medic` command line: one subcommand per verb.
@main
struct MedicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medic",
        abstract: "A self-healing supervisor for systemd units.",
        discussion: """
            Medic watches systemd units over the bus, classifies each one's health (healthy, degraded, \
            failed, idle, unknown), tracks an availability SLO per unit with an error budget and burn \
            rates, and when a budget is breached or a unit fails runs playbooks that verify their effect \
            and roll back what did not help. Every correction is recorded; what was learned orders the \
            playbooks. `medic run` is the daemon (the medic.service unit); the other commands inspect, \
            heal on demand and report.

            Files: /etc/medic/medic.yaml (see medic.yaml(5)) and /etc/medic/playbooks (see \
            medic-playbook(5)) as root, $XDG_CONFIG_HOME/medic otherwise; the packaged playbooks in \
            /usr/share/medic/playbooks are used while no playbook directory exists; history in \
            /var/lib/medic as root, $XDG_STATE_HOME/medic otherwise.

            Exit status: 0 on success; 1 for an error (one line on stderr, `medic: ...`) or a usage \
            error; 3 when `medic status` shows a failed unit, `medic slo` a breached budget, or `medic \
            heal` did not recover the unit; 130 when a heal was interrupted.
            """,
        version: MedicVersion.current,
        subcommands: [StatusCommand.self, WatchCommand.self, LogsCommand.self, RunCommand.self, SloCommand.self, PlaybookCommand.self, ConfigCommand.self, HealCommand.self, HistoryCommand.self, StatsCommand.self, ExplainCommand.self, ProbeCommand.self, ReportCommand.self, InstallCommand.self, UninstallCommand.self, DemoCommand.self]
    )

    static func main() async {
        let level = ProcessInfo.processInfo.environment["MEDIC_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        // Under systemd with stderr going to the journal, log there with Medic's own fields.
        let toJournal = JournalWriter.standardErrorIsJournal
        LoggingSystem.bootstrap { label in
            if toJournal {
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as MedicFailure {
            Output.error(failure.message)
            Foundation.exit(1)
        } catch where StoreFailure.isDatabaseError(error) {
            // A store that breaks while being read (a corrupt page, a full disk): one line, not a dump.
            let path = StateOptions.storePath(stateDirectory: Self.stateDirectoryArgument())
            Output.error(StoreFailure.describe(error, store: path))
            Foundation.exit(1)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            // --help and --version end here too, as the argument parser prints them.
            if exitCode(for: error) == .success { exit(withError: error) }
            // Usage errors in the same style as every other error: "medic: ...", then the usage, exit 1.
            var text = fullMessage(for: error)
            if text.hasPrefix("Error: ") { text.removeFirst("Error: ".count) }
            Output.error(text.trimmingCharacters(in: .whitespacesAndNewlines))
            Foundation.exit(1)
        }
    }
}

extension MedicCommand {
    /// The `--state-dir` given on the command line, if any (for naming the store in an error).
    static func stateDirectoryArgument() -> String? {
        let arguments = CommandLine.arguments
        for (index, argument) in arguments.enumerated() {
            if argument == "--state-dir", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--state-dir=") { return String(argument.dropFirst("--state-dir=".count)) }
        }
        return nil
    }
}

/// An error shown to the operator as one line on stderr, with exit status 1.
struct MedicFailure: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
