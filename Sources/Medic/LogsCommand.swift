import ArgumentParser
import MedicCore
import SystemdJournal

/// `medic logs`: a unit's last journal lines.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show a unit's last journal lines."
    )

    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many lines.")
    var lines = 20

    @Option(name: .customLong("directory"), help: ArgumentHelp("Read journal files from this directory instead of the system's.", valueName: "dir"))
    var directory: String?

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func validate() throws {
        guard lines > 0 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("logs takes one unit name, not a pattern: \(unit)") }
        let entries: [JournalEntry]
        do {
            entries = try JournalReader.lastEntries(of: pattern.text, count: lines, directory: directory)
        } catch {
            throw MedicFailure(error.description)
        }
        if entries.isEmpty {
            Output.error("no journal entries for \(pattern.text)")
            return
        }
        for entry in entries {
            let pid = entry.pid.isEmpty ? "" : "[\(entry.pid)]"
            Output.line("\(Timestamp.rfc3339(micros: entry.timeMicros)) \(entry.identifier)\(pid): \(entry.message)")
        }
    }
}
