import ArgumentParser
import Foundation
import MedicCore
import MedicEngine
import MedicReports

/// `medic slo`: every unit's availability SLO from the stored history, worst first (and `export`).
struct SloCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo",
        abstract: "Show SLIs, error budgets and burn rates (exit 3 when any budget is breached or exhausted).",
        subcommands: [SloReportCommand.self, SloExportCommand.self],
        defaultSubcommand: SloReportCommand.self
    )
}

/// `medic slo [report]`: the figures.
struct SloReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show SLIs, error budgets and burn rates (the default; exit 3 when any budget is breached or exhausted)."
    )

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("unit"), help: ArgumentHelp("Only units matching this pattern (repeatable).", valueName: "pattern"))
    var units: [String] = []

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: ArgumentHelp("Report as of this moment instead of now (RFC 3339, YYYY-MM-DD, @EPOCH-SECONDS, or a duration ago such as 2h).", valueName: "time"))
    var at: TimeArgument?

    func run() async throws {
        let patterns = try parsePatterns(units)
        let configuration = try state.configuration()
        guard let store = try state.existingStore() else {
            throw MedicFailure("no history at \(state.storePath): start `medic run` first")
        }
        let realNow = Date().timeIntervalSince1970
        let now = min(at?.seconds ?? realNow, realNow)
        let knownUntil = min(SLOQuery.knownUntil(try await store.lastSession(), now: realNow, heartbeat: 2), now)
        let reports = try await SLOQuery(store: store, configuration: configuration).reports(now: now, knownUntil: knownUntil, patterns: patterns)
        if json {
            Output.json(SLODocument(reports, knownUntil: knownUntil))
        } else {
            for line in SLOTable.lines(reports) { Output.line(line) }
            if reports.isEmpty { Output.line("(no watched unit has history yet)") }
        }
        if reports.contains(where: { $0.report.state >= .breached }) { throw ExitCode(3) }
    }
}

/// The `medic slo` table.
enum SLOTable {
    static func lines(_ reports: [UnitSLO]) -> [String] {
        let width = min(50, reports.map(\.unit.count).max() ?? 4)
        var lines = ["\("STATE".padded(9)) \("LVL".padded(3)) \("UNIT".padded(width)) \("OBJECTIVE".padded(16)) \("SLI".padded(9)) \("BUDGET LEFT".padded(18)) \("BURN 1st PAIR".padded(14)) EXHAUSTED IN"]
        for slo in reports {
            let r = slo.report
            let objective = "\(percent(r.objective)) / \(FailureDescription.window(r.window))"
            let sli = r.sli.map(percent) ?? "no data"
            let left = "\(Int(r.remainingPercent.rounded()))% (\(FailureDescription.duration(max(0, r.remainingSeconds))))"
            let burn = r.rules.first.map { "\(rate($0.longRate))/\(rate($0.shortRate))" } ?? "-"
            let exhaustion = r.state == .exhausted || r.timeToExhaustion == 0 ? "exhausted" : r.timeToExhaustion.map(FailureDescription.duration) ?? "never"
            let partial = r.windowFilled ? "" : "  (window not full: \(FailureDescription.duration(r.observedSeconds)) observed)"
            lines.append("\(r.state.rawValue.padded(9)) \(r.alertLevel.padded(3)) \(slo.unit.padded(width)) \(objective.padded(16)) \(sli.padded(9)) \(left.padded(18)) \(burn.padded(14)) \(exhaustion)\(partial)")
        }
        return lines
    }

    private static func percent(_ fraction: Double) -> String {
        let value = (fraction * 100_000).rounded() / 1000
        return "\(value)%"
    }

    private static func rate(_ value: Double) -> String {
        String((value * 10).rounded() / 10)
    }
}
