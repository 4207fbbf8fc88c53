import CSystemd

/// One unit's journal, open: its last entries (optionally only those since a moment), then, for
/// `medic logs -f`, the entries written after them as they come.
public final class JournalFollower {
    private let journal: OpaquePointer

    public init(unit: String, directory: String? = nil) throws(JournalError) {
        journal = try JournalReader.open(unit: unit, directory: directory)
    }

    deinit {
        sd_journal_close(journal)
    }

    /// The last `count` entries, oldest first, only those at or after `sinceMicros` when given; the
    /// journal is then positioned after the newest, so `next` returns what is written from now on.
    public func last(_ count: Int, sinceMicros: UInt64? = nil) -> [JournalEntry] {
        sd_journal_seek_tail(journal)
        var entries: [JournalEntry] = []
        while entries.count < count, sd_journal_previous(journal) > 0 {
            let entry = JournalReader.read(journal)
            if let sinceMicros, entry.timeMicros < sinceMicros { break }
            entries.append(entry)
        }
        sd_journal_seek_tail(journal)
        // Seeking to the tail puts the position after the last entry: step onto it, so that `next`
        // reads only what comes after.
        sd_journal_previous(journal)
        return entries.reversed()
    }

    /// Entries written since the last call (or since `last`), oldest first; empty when none.
    public func next() -> [JournalEntry] {
        var entries: [JournalEntry] = []
        while sd_journal_next(journal) > 0 { entries.append(JournalReader.read(journal)) }
        return entries
    }

    /// Waits up to `seconds` for the journal to change (new entries, rotated files).
    public func wait(seconds: Double) {
        _ = sd_journal_wait(journal, UInt64(max(0, seconds) * 1_000_000))
    }
}
