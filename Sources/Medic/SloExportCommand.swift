import ArgumentParser
import Foundation
import MedicConfig
import MedicCore

/// `medic slo export`: the configured SLOs of the units Medic knows as Sloth or OpenSLO specifications.
struct SloExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the units' SLOs as a Sloth or OpenSLO specification over Medic's exported counters.",
        discussion: "Units are those in the history store that medic.yaml watches (as medic slo lists them); each gets the objective and window medic.yaml gives it."
    )

    @OptionGroup var state: StateOptions

    @Option(help: ArgumentHelp("sloth (prometheus/v1) or openslo (openslo/v1).", valueName: "format"))
    var format: String

    @Option(name: .customLong("unit"), help: ArgumentHelp("Only units matching this pattern (repeatable).", valueName: "pattern"))
    var units: [String] = []

    @Option(help: ArgumentHelp("The Prometheus job that scrapes Medic, in the queries.", valueName: "name"))
    var job = "medic"

    func run() async throws {
        guard let format = SLOExport.Format(rawValue: format) else {
            throw MedicFailure("--format: expected one of \(SLOExport.Format.allCases.map(\.rawValue).joined(separator: ", ")), got '\(format)'")
        }
        let patterns = try parsePatterns(units)
        let configuration = try state.configuration()
        guard let store = try state.existingStore() else {
            throw MedicFailure("no history at \(state.storePath): start `medic run` first (the units come from its history)")
        }
        let entries = try await store.units()
            .filter { configuration.watches($0) && UnitPattern.any(patterns, match: $0) }
            .sorted()
            .map { SLOExport.Entry(unit: $0, spec: configuration.slo.spec(for: $0)) }
        guard !entries.isEmpty else { throw MedicFailure("no watched unit has history yet: nothing to export") }
        let text = try SLOExport.yaml(entries, format: format, job: job)
        Output.line(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }
}
