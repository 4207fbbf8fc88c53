import ArgumentParser
import Foundation
import MedicCore
import MedicEngine
import MedicReports
import MedicStore
import SystemdBus

/// `medic explain UNIT`: why Medic would or would not act on a unit now.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why Medic would or would not act on a unit now: health, budget, playbooks in learned order, guards, protection, and what systemd itself will do.",
        discussion: "Changes nothing. Global limits (concurrent corrections, per minute, mass failures) are applied by the running daemon and not shown."
    )

    @OptionGroup var manager: ManagerOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var playbookOptions: PlaybookOptions

    @Option(name: .customLong("journal-directory"), help: ArgumentHelp("Read journal files from this directory (default: the machine's journal).", valueName: "dir"))
    var journalDirectory: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func run() async throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("explain takes one unit name, not a pattern: \(unit)") }
        let configuration = try state.configuration()
        let playbooks = try playbookOptions.load()
        let address = manager.address
        let inquiry: UnitInquiry
        do {
            inquiry = try await UnitInquiry.make(unit: pattern, address: address, configuration: configuration, playbooks: playbooks, store: try state.existingStore(),
                                                 statePath: DaemonState.path(besideStore: state.storePath), journal: JournalLines(directory: journalDirectory),
                                                 now: Date().timeIntervalSince1970)
        } catch UnitInquiry.Failure.notLoaded(let name) {
            throw MedicFailure("\(name) is not loaded")
        } catch UnitInquiry.Failure.bus(let error) {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }
        if json {
            Output.json(ExplanationDocument(inquiry))
        } else {
            for line in inquiry.lines { Output.line(line) }
        }
    }
}
