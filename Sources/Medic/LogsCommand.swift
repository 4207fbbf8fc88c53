import ArgumentParser
import MedicCore
import SystemdJournal

/// `medic logs`: a unit's last journal lines, and with `-f` those that follow.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show a unit's last journal lines (-f: and follow them)."
    )

    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many lines.")
    var lines = 20

    @Option(name: .customLong("directory"), help: ArgumentHelp("Read journal files from this directory instead of the system's.", valueName: "dir"))
    var directory: String?

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new lines as they are written, until interrupted.")
    var follow = false

    @Option(help: ArgumentHelp("Only lines since this moment (RFC 3339, YYYY-MM-DD, @EPOCH-SECONDS, or a duration ago such as 10m).", valueName: "time"))
    var since: TimeArgument?

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func validate() throws {
        guard lines > 0 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("logs takes one unit name, not a pattern: \(unit)") }
        let journal: JournalFollower
        do {
            journal = try JournalFollower(unit: pattern.text, directory: directory)
        } catch {
            throw MedicFailure(error.description)
        }
        let entries = journal.last(lines, sinceMicros: since.map { UInt64(max(0, $0.seconds) * 1_000_000) })
        if entries.isEmpty && !follow {
            Output.error("no journal entries for \(pattern.text)\(since == nil ? "" : " in that time")")
            return
        }
        entries.forEach(Self.print)
        guard follow else { return }
        while true {
            journal.wait(seconds: 1)
            journal.next().forEach(Self.print)
        }
    }

    private static func print(_ entry: JournalEntry) {
        let pid = entry.pid.isEmpty ? "" : "[\(entry.pid)]"
        Output.line("\(Timestamp.rfc3339(micros: entry.timeMicros)) \(entry.identifier)\(pid): \(entry.message)")
    }
}
