import ArgumentParser
import Foundation
import Logging

/// The `medic` command line: one subcommand per verb.
@main
struct MedicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medic",
        abstract: "A self-healing supervisor for systemd units.",
        subcommands: [StatusCommand.self, WatchCommand.self, LogsCommand.self, RunCommand.self, SloCommand.self, PlaybookCommand.self, HealCommand.self, HistoryCommand.self, StatsCommand.self, ExplainCommand.self, DemoCommand.self]
    )

    static func main() async {
        let level = ProcessInfo.processInfo.environment["MEDIC_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
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
