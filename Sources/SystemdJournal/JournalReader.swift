import CSystemd
import Foundation
import MedicCore

/// One journal entry as `medic logs` prints it.
public struct JournalEntry: Sendable, Equatable {
    /// Microseconds since the epoch.
    public var timeMicros: UInt64
    public var identifier: String
    public var pid: String
    public var priority: Int
    public var message: String
}

/// Why the journal could not be read.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Reads a unit's recent journal lines through sd-journal.
public enum JournalReader {
    /// Where journald keeps its files; when none exists there is no journal to read.
    public static let journalDirectories = ["/run/log/journal", "/var/log/journal"]

    /// The last `count` entries logged by or about `unit`, oldest first.
    ///
    /// Matches both `_SYSTEMD_UNIT=` and `_SYSTEMD_USER_UNIT=` (units of a user manager started outside
    /// user@.service appear under the former), systemd's own messages about the unit, and the unit's
    /// cgroup where journald could not name the unit.
    public static func lastEntries(of unit: String, count: Int, directory: String? = nil) throws(JournalError) -> [JournalEntry] {
        try JournalFollower(unit: unit, directory: directory).last(count)
    }

    /// Opens the journal (a directory's files, or the machine's) matching everything about `unit`.
    static func open(unit: String, directory: String?) throws(JournalError) -> OpaquePointer {
        if directory == nil, !journalDirectories.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw JournalError(description: "no journal on this machine: systemd-journald is not running or keeps no files (looked in \(journalDirectories.joined(separator: " and ")))")
        }
        var journal: OpaquePointer? = nil
        let opened: Int32
        if let directory {
            opened = sd_journal_open_directory(&journal, directory, 0)
        } else {
            opened = sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY))
        }
        guard opened >= 0, let journal else {
            throw JournalError(description: "cannot open the journal: \(String(cString: strerror(-opened)))")
        }
        let matches = ["_SYSTEMD_UNIT", "_SYSTEMD_USER_UNIT", "UNIT", "USER_UNIT"].map { "\($0)=\(unit)" }
            + unitCgroups(of: unit, in: journal).map { "_SYSTEMD_CGROUP=\($0)" }
        for (index, match) in matches.enumerated() {
            if index > 0 { sd_journal_add_disjunction(journal) }
            _ = match.withCString { sd_journal_add_match(journal, $0, 0) }
        }
        return journal
    }

    /// Cgroups named after the unit (`.../app.slice/web.service`): journald only fills in
    /// `_SYSTEMD_UNIT` when it recognises the cgroup layout, which it does not for a manager whose tree
    /// is nested elsewhere (a container, a sandbox), but `_SYSTEMD_CGROUP` is always there.
    private static func unitCgroups(of unit: String, in journal: OpaquePointer) -> [String] {
        guard sd_journal_query_unique(journal, "_SYSTEMD_CGROUP") >= 0 else { return [] }
        var cgroups: [String] = []
        var data: UnsafeRawPointer? = nil
        var length = 0
        let suffix = "/" + unit
        sd_journal_restart_unique(journal)
        while sd_journal_enumerate_unique(journal, &data, &length) > 0, let data {
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            let cgroup = String(text[text.index(after: equals)...])
            if cgroup.hasSuffix(suffix) { cgroups.append(cgroup) }
        }
        return cgroups
    }

    static func read(_ journal: OpaquePointer) -> JournalEntry {
        var micros: UInt64 = 0
        sd_journal_get_realtime_usec(journal, &micros)
        return JournalEntry(
            timeMicros: micros,
            identifier: field(journal, "SYSLOG_IDENTIFIER") ?? field(journal, "_COMM") ?? "?",
            pid: field(journal, "_PID") ?? "",
            priority: Int(field(journal, "PRIORITY") ?? "") ?? 6,
            message: field(journal, "MESSAGE") ?? ""
        )
    }

    /// The value of one field of the current entry (data comes back as "FIELD=value").
    private static func field(_ journal: OpaquePointer, _ name: String) -> String? {
        var data: UnsafeRawPointer? = nil
        var length = 0
        guard sd_journal_get_data(journal, name, &data, &length) >= 0, let data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        // Journal fields may hold any bytes: what is not UTF-8 is kept visible as \xNN.
        return TerminalText.decode(bytes[(equals + 1)...])
    }
}
