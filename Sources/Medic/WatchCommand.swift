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
        abstract: "Stream one line per health transition as it happens.",
        discussion: "A unit with active probes also changes as the running medic run's probes say (read from its state directory every 2 s)."
    )

    @OptionGroup var manager: ManagerOptions
    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The running medic run's state directory, whose probe states are shown (default as for medic run).", valueName: "dir"))
    var stateDirectory: String?

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @OptionGroup var color: ColorOptions

    @Argument(help: ArgumentHelp("Units to watch (all when none).", valueName: "pattern"))
    var patterns: [String] = []

    func run() async throws {
        let patterns = try parsePatterns(self.patterns)
        let address = manager.address
        var watcher = UnitWatcher(address: address, patterns: patterns, logger: Logger(label: "medic.watch"))
        // What a running medic run's probes say, folded in as the daemon does (no probing here).
        let board = ProbeBoard()
        watcher.probes = board
        let feed = Task { [statePath = DaemonState.path(besideStore: StateOptions.storePath(stateDirectory: stateDirectory))] in
            await DaemonProbeFeed.follow(statePath: statePath, board: board)
        }
        defer { feed.cancel() }
        let json = self.json, colored = color.enabled
        do {
            try await watcher.run { event in WatchCommand.report(event, json: json, address: address, color: colored) }
        } catch {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
    }

    /// Prints one watch event: transitions on stdout, connection news on stderr.
    static func report(_ event: WatchEvent, json: Bool, address: BusAddress, color: Bool = false) {
        switch event {
        case .ready(let count):
            Output.error("watching \(count) units on \(address)")
        case .transition(let transition):
            let report = TransitionReport(transition)
            if json { Output.json(report, pretty: false) } else { Output.line(line(report, health: transition.to), color: color) }
        case .connectionLost(let reason):
            Output.error("lost the connection to systemd (\(reason)); reconnecting")
        case .reconnected(let count):
            Output.error("reconnected; watching \(count) units")
        case .warning(let text):
            Output.error("warning: \(text)")
        case .removed(let name):
            Output.error("\(name) was unloaded by systemd")
        case .observed, .settled:
            break
        }
    }

    /// The human line: time, unit and change in aligned columns, then the reason without repeating
    /// the class it names (`failed -> failed: exit-code` reads `failed  exit-code`).
    static func line(_ report: TransitionReport, health: Health) -> [(text: String, health: Health?)] {
        var reason = report.reason
        if reason.hasPrefix(report.to + ": ") { reason.removeFirst(report.to.count + 2) }
        let from = "\(report.from ?? "new") -> "
        return [("\(report.time)  \(report.unit.padded(40))  \(from)", nil), (report.to, health),
                (String(repeating: " ", count: max(0, 20 - from.count - report.to.count)) + "  \(reason)", nil)]
    }
}
