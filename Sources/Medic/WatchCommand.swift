import ArgumentParser
import Logging
import MedicCore
import MedicReports
import MedicEngine
import SystemdBus

/// `medic watch`: streams health transitions as systemd reports them, until interrupted.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stream one line per health transition as it happens."
    )

    @OptionGroup var manager: ManagerOptions

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Argument(help: ArgumentHelp("Units to watch (all when none).", valueName: "pattern"))
    var patterns: [String] = []

    func run() async throws {
        let patterns = try parsePatterns(self.patterns)
        let address = manager.address
        let watcher = UnitWatcher(address: address, patterns: patterns, logger: Logger(label: "medic.watch"))
        let json = self.json
        do {
            try await watcher.run { event in WatchCommand.report(event, json: json, address: address) }
        } catch {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
    }

    /// Prints one watch event: transitions on stdout, connection news on stderr.
    static func report(_ event: WatchEvent, json: Bool, address: BusAddress) {
        switch event {
        case .ready(let count):
            Output.error("watching \(count) units on \(address)")
        case .transition(let transition):
            let report = TransitionReport(transition)
            if json { Output.json(report, pretty: false) } else { Output.line(report.text) }
        case .connectionLost(let reason):
            Output.error("lost the connection to systemd (\(reason)); reconnecting")
        case .reconnected(let count):
            Output.error("reconnected; watching \(count) units")
        case .warning(let text):
            Output.error("warning: \(text)")
        case .removed(let name):
            Output.error("\(name) was unloaded by systemd")
        case .observed:
            break
        }
    }
}
