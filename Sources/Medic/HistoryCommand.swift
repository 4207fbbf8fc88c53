import ArgumentParser
import Foundation
import MedicCore
import MedicReports
import MedicStore

/// `medic history`: review recorded corrections.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Review recorded corrections, real and dry-run.",
        subcommands: [HistoryListCommand.self, HistoryShowCommand.self],
        defaultSubcommand: HistoryListCommand.self
    )
}

/// `medic history [list]`: corrections newest first, one line each.
struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Corrections, newest first, one line each (the default).")

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("unit"), help: ArgumentHelp("Only units matching this name or glob.", valueName: "pattern"))
    var unit: String?

    @Option(name: .customLong("playbook"), help: "Only this playbook's corrections.")
    var playbook: String?

    @Option(name: .customLong("since"), help: ArgumentHelp("Only corrections started since: an RFC 3339 time, a date, or a duration ago (90m, 1d).", valueName: "time"))
    var since: TimeArgument?

    @Option(name: .customLong("outcome"), help: ArgumentHelp("Only this outcome: \(CorrectionOutcome.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "outcome"))
    var outcome: String?

    @Option(name: .customLong("limit"), help: "At most this many.")
    var limit = 50

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        if let outcome, CorrectionOutcome(rawValue: outcome) == nil {
            throw ValidationError("unknown outcome '\(outcome)'; expected one of \(CorrectionOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let unit, (try? UnitPattern(unit)) == nil { throw ValidationError("invalid unit pattern '\(unit)'") }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let pattern = try unit.map { try parsePatterns([$0])[0].text }
        let filter = CorrectionFilter(unit: pattern, playbook: playbook, since: since?.seconds, outcome: outcome, limit: limit)
        let corrections = try await state.existingStore()?.corrections(filter) ?? []
        if json {
            Output.json(HistoryDocument(corrections))
            return
        }
        guard !corrections.isEmpty else {
            Output.line("(no corrections recorded\(filter == CorrectionFilter(limit: limit) ? "" : " that match"))")
            return
        }
        let rows = corrections.map { c in
            ["#\(c.id)", Timestamp.rfc3339(seconds: c.startedAt), c.unit, c.playbook, c.state,
             c.recoverySeconds.map { FailureDescription.precise($0) } ?? "-", c.intent.signature.isEmpty ? "-" : c.intent.signature]
        }
        for line in TextTable.lines(header: ["ID", "STARTED", "UNIT", "PLAYBOOK", "OUTCOME", "RECOVERED IN", "SIGNATURE"], rows: rows) { Output.line(line) }
    }
}
