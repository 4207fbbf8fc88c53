import ArgumentParser
import Foundation
import MedicCore
import MedicReports
import MedicStore

/// `medic history show ID`: one correction in full.
struct HistoryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One correction in full: trigger, choice, each step, verification, rollback and the unit's journal lines."
    )

    @OptionGroup var state: StateOptions

    @Argument(help: "The correction's id (as `medic history` lists it, with or without '#').")
    var id: String

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        guard let number = Int64(id.hasPrefix("#") ? String(id.dropFirst()) : id) else { throw ValidationError("'\(id)' is not a correction id") }
        guard let store = try state.existingStore(), let correction = try await store.correction(id: number) else {
            throw MedicFailure("no correction #\(number) in \(state.storePath)")
        }
        let steps = try await store.steps(of: number)
        if json {
            Output.json(CorrectionJSON(correction, steps: steps))
            return
        }
        for line in Self.lines(correction, steps: steps) { Output.line(line) }
    }

    static func lines(_ c: StoredCorrection, steps: [StoredStep]) -> [String] {
        var lines = [
            "correction #\(c.id) of \(c.unit): \(c.state)\(c.dryRun ? " (nothing was changed)" : "")",
            "started:      \(Timestamp.rfc3339(seconds: c.startedAt))",
            "ended:        \(c.endedAt.map { Timestamp.rfc3339(seconds: $0) } ?? "not yet (open)")",
            "trigger:      \(c.intent.trigger.isEmpty ? "-" : c.intent.trigger)",
            "signature:    \(c.intent.signature.isEmpty ? "-" : c.intent.signature)",
            "playbook:     \(c.playbook) (choice \(c.intent.rank)): \(c.intent.reason)",
            "alternatives: \(c.intent.alternatives.isEmpty ? "none" : c.intent.alternatives.joined(separator: ", "))",
        ]
        lines.append("steps:")
        let forward = steps.filter { !$0.isRollback }
        let rollback = steps.filter(\.isRollback)
        if forward.isEmpty { lines.append("  (none ran)") }
        for step in forward { lines.append("  " + describe(step)) }
        lines.append("verification: \(c.verification ?? "-")")
        if let recovery = c.recoverySeconds { lines.append("recovered in: \(FailureDescription.precise(recovery))") }
        if rollback.isEmpty {
            lines.append("rollback:     none")
        } else {
            lines.append("rollback:")
            for step in rollback { lines.append("  " + describe(step)) }
        }
        lines.append("journal (the unit's last lines when the correction started):")
        if c.intent.journal.isEmpty { lines.append("  (none recorded)") }
        for line in c.intent.journal { lines.append("  " + line.replacingOccurrences(of: "\n", with: "\n  ")) }
        return lines
    }

    private static func describe(_ step: StoredStep) -> String {
        let took = FailureDescription.precise(max(0, step.endedAt - step.startedAt))
        return "\(Timestamp.rfc3339(seconds: step.startedAt))  \(step.action): \(step.outcome) (\(took))\(step.error.map { ": \($0)" } ?? "")"
    }
}
