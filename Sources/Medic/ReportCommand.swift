import ArgumentParser
import Foundation
import MedicCore
import MedicEngine
import MedicReports
import MedicStore
import SystemdBus

/// `medic report --html FILE`: the board, every watched unit's budget charts and the period's
/// corrections in one self-contained HTML file.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (board, budget charts, corrections) to attach to an incident ticket.",
        discussion: "The file has its style inline and no script; it opens in any browser, offline."
    )

    @OptionGroup var manager: ManagerOptions
    @OptionGroup var state: StateOptions

    @Option(name: .customLong("html"), help: ArgumentHelp("Write the report to this file ('-' for standard output).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Corrections started since (RFC 3339, YYYY-MM-DD, @EPOCH-SECONDS, or a duration ago such as 1d; default 1d).", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .customLong("unit"), help: ArgumentHelp("Only units matching this pattern (repeatable; default: the watched units).", valueName: "pattern"))
    var units: [String] = []

    func run() async throws {
        let configuration = try state.configuration()
        let patterns = try parsePatterns(units)
        let address = manager.address
        let now = Date().timeIntervalSince1970
        var healths: [UnitHealth]
        do {
            healths = try await StatusReader(address: address, patterns: patterns.isEmpty ? configuration.watch : patterns, policy: configuration.health).read()
        } catch {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        healths = healths.filter { configuration.watches($0.name) || !patterns.isEmpty }
        let live = DaemonState.read(from: DaemonState.path(besideStore: state.storePath))
        if let live { healths = healths.map { live.adding($0, now: now) } }
        let store = try state.existingStore()
        var slos: [String: SLOReport]?
        var pages: [UnitPage] = []
        let from = since?.seconds ?? now - 86_400
        let corrections = try await store?.corrections(CorrectionFilter(since: from, limit: 10_000)) ?? []
        let names = Set(healths.map(\.name))
        if let store {
            let knownUntil = SLOQuery.knownUntil(try await store.lastSession(), now: now, heartbeat: 2)
            let query = SLOQuery(store: store, configuration: configuration)
            var reports: [String: SLOReport] = [:]
            for unit in healths {
                let history = try await UnitBudgetHistory.read(unit.name, query: query, now: now, knownUntil: knownUntil)
                reports[unit.name] = history.report
                pages.append(UnitPage(unit: UnitReport(unit), history: history, journal: nil, explanation: nil, corrections: corrections.filter { $0.unit == unit.name }))
            }
            slos = reports
        } else {
            pages = healths.map { UnitPage(unit: UnitReport($0), history: .none, journal: nil, explanation: nil, corrections: []) }
        }
        let document = StatusDocument(units: healths, slos: slos, daemon: nil, live: live, now: now)
        let report = IncidentReport(document: document, units: pages, corrections: corrections.filter { names.contains($0.unit) }, since: from,
                                    generatedAt: now, host: HostName.current)
        let html = report.html()
        if file == "-" {
            print(html, terminator: "")
            return
        }
        do {
            try html.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw MedicFailure("cannot write \(file): \(error.localizedDescription)")
        }
        Output.line("wrote \(file): \(healths.count) units, \(report.corrections.count) corrections since \(Timestamp.rfc3339(seconds: from))")
    }
}
