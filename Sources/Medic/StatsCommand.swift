import ArgumentParser
import Foundation
import MedicCore
import MedicReports
import MedicStore

/// `medic stats`: what Medic has learned of each playbook.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "What was learned per playbook and failure signature: attempts, success with its lower bound, time to recover, suppression.",
        discussion: "Dry-runs and escalations never count. --reset forgets a playbook's attempts so far (the daemon picks it up within seconds)."
    )

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("playbook"), help: "Only this playbook.")
    var playbook: String?

    @Flag(name: .customLong("by-unit"), help: "Per playbook and unit instead of per failure signature.")
    var byUnit = false

    @Option(name: .customLong("reset"), help: ArgumentHelp("Forget what was learned of this playbook.", valueName: "playbook"))
    var reset: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let configuration = try state.configuration()
        if let reset {
            // Only a playbook something was learned of can be reset; a typo must not pass for a reset.
            let known = Set(try await state.existingStore()?.pastCorrections().map(\.playbook) ?? [])
            guard known.contains(reset) else {
                let names = known.sorted()
                throw MedicFailure("no playbook named '\(reset)' has recorded corrections in \(state.storePath)\(names.isEmpty ? ": nothing was learned yet" : "; known: \(names.joined(separator: ", "))")")
            }
            let store = try state.openStore()
            try await store.resetStatistics(playbook: reset, at: Date().timeIntervalSince1970)
            Output.line("statistics of \(reset) reset: its attempts so far no longer count")
            return
        }
        let learned = try await state.existingStore()?.learnedStatistics() ?? LearnedStatistics()
        let policy = configuration.learning
        let document = StatsDocument(learned, policy: policy, playbook: playbook, byUnit: byUnit)
        if json {
            Output.json(document)
            return
        }
        let rows = document.statistics
        guard !rows.isEmpty else {
            Output.line("(nothing learned yet: no real correction has ended\(playbook.map { " for \($0)" } ?? ""))")
            return
        }
        let bound = "AT LEAST (\(Int((policy.credibility * 100).rounded()))%)"
        let header = ["PLAYBOOK", byUnit ? "UNIT" : "SIGNATURE", "ATTEMPTS", "RECOVERED", "ROLLED BACK", "SUCCESS", bound, "TTR P50", "TTR P90"] + (byUnit ? [] : ["STATE"])
        let lines = TextTable.lines(header: header, rows: rows.map { row in
            [row.playbook, row.signature ?? row.unit ?? "", "\(row.attempts)", "\(row.successes)", "\(row.rollbacks)",
             row.successRate.map(Self.percent) ?? "-", Self.percent(row.lowerBound),
             row.recoveryP50.map { FailureDescription.precise($0) } ?? "-", row.recoveryP90.map { FailureDescription.precise($0) } ?? "-"]
                + (byUnit ? [] : [row.suppressed == true ? "suppressed (under \(Self.percent(policy.floor)))" : "in use"])
        })
        for line in lines { Output.line(line) }
    }

    static func percent(_ fraction: Double) -> String { NumberText.percent(fraction) }
}
