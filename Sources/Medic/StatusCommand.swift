import ArgumentParser
import Foundation
import MedicCore
import MedicEngine
import MedicReports
import SystemdBus

/// `medic status`: one line per unit with its health and reason, and a summary.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the health of units (exit 3 when any shown unit is failed).",
        discussion: "PATTERN is a unit name or a glob such as 'web-*.service'; a name without a type gets '.service'. Without patterns: the units medic.yaml watches when there is a configuration file, every loaded unit otherwise or with --all."
    )

    @OptionGroup var manager: ManagerOptions
    @OptionGroup var state: StateOptions

    @Flag(name: .customLong("failed-only"), help: "Show only the units that need attention: failed and degraded (as --state failed,degraded).")
    var failedOnly = false

    @Option(name: .customLong("state"), help: ArgumentHelp("Show only units of these health classes (comma-separated, repeatable): \(Health.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "class"))
    var states: [String] = []

    @Flag(name: .customLong("all"), help: "Every loaded unit, also those medic.yaml does not watch.")
    var all = false

    @Flag(help: "Print one JSON document.")
    var json = false

    @OptionGroup var color: ColorOptions

    @Argument(help: ArgumentHelp("Units to show (the watched units, or all loaded units, when none).", valueName: "pattern"))
    var patterns: [String] = []

    func validate() throws {
        for name in states.flatMap({ $0.split(separator: ",") }) where Health(rawValue: String(name)) == nil {
            throw ValidationError("--state: unknown health class '\(name)'; expected \(Health.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The health classes to show; nil: all.
    private var shownClasses: Set<Health>? {
        var classes = Set(states.flatMap { $0.split(separator: ",") }.compactMap { Health(rawValue: String($0)) })
        if failedOnly { classes.formUnion([.failed, .degraded]) }
        return classes.isEmpty ? nil : classes
    }

    func run() async throws {
        let patterns = try parsePatterns(self.patterns)
        let address = manager.address
        var units: [UnitHealth]
        do {
            units = try await StatusReader(address: address, patterns: patterns).read()
        } catch {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        let live = DaemonState.read(from: DaemonState.path(besideStore: state.storePath))
        let now = Date().timeIntervalSince1970
        if let live { units = units.map { live.adding($0, now: now) } }
        // What Medic watches, as an operator configured it, unless asked for everything.
        if patterns.isEmpty, !all, state.configurationFileExists {
            let configuration = try state.configuration()
            units = units.filter { configuration.watches($0.name) }
        }
        if let shown = shownClasses { units = units.filter { shown.contains($0.verdict.health) } }
        let slos = try await budgets()
        let daemon = try await daemonNote()
        let document = StatusDocument(units: units, slos: slos, daemon: daemon, live: live, now: now)
        let summary = document.summary
        if json {
            Output.json(document)
        } else {
            let lines = StatusTable.lines(units, budgets: slos, now: now)
            let colored = color.enabled
            Output.line(lines[0])
            // The health column leads every row.
            for (unit, line) in zip(units, lines.dropFirst()) {
                let width = StatusTable.healthWidth
                Output.line([(String(line.prefix(width)), unit.verdict.health), (String(line.dropFirst(width)), nil)], color: colored)
            }
            Output.line("")
            Output.line(summary.text)
            Output.line(live?.summary(now: now) ?? "medic run: not running with this state directory")
            if let daemon { Output.line(daemon) }
        }
        if summary.failed > 0 { throw ExitCode(3) }
    }

    /// What a running `medic run` wants an operator to know: a refused reload (nil when nothing).
    private func daemonNote() async throws -> String? {
        guard let store = try state.existingStore() else { return nil }
        return try await StatusDocument.reloadNote(store)
    }

    /// Each unit's SLO from the history store, when there is one (nil otherwise).
    private func budgets() async throws -> [String: SLOReport]? {
        guard let store = try state.existingStore() else { return nil }
        let configuration = try state.configuration()
        let now = Date().timeIntervalSince1970
        let knownUntil = SLOQuery.knownUntil(try await store.lastSession(), now: now, heartbeat: 2)
        let reports = try await SLOQuery(store: store, configuration: configuration).reports(now: now, knownUntil: knownUntil)
        return Dictionary(reports.map { ($0.unit, $0.report) }, uniquingKeysWith: { first, _ in first })
    }
}
