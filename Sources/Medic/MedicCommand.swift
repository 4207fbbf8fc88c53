import ArgumentParser
import Foundation
import Logging
import MedicEngine
import SystemdJournal

/// The `medic` command line: one subcommand per verb.
@main
struct MedicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medic",
        abstract: "A self-healing supervisor for systemd units.",
        subcommands: [StatusCommand.self, WatchCommand.self, LogsCommand.self, RunCommand.self, SloCommand.self, PlaybookCommand.self, HealCommand.self, HistoryCommand.self, StatsCommand.self, ExplainCommand.self, InstallCommand.self, UninstallCommand.self, DemoCommand.self]
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
        } catch {
            exit(withError: error)
        }
    }
}

/// An error shown to the operator as one line on stderr, with exit status 1.
struct MedicFailure: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
