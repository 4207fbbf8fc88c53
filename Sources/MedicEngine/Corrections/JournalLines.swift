import MedicCore
import SystemdJournal

/// A unit's recent journal messages: for playbooks that match on them, for the failure signature's
/// fingerprint and for the excerpt history keeps.
public struct JournalLines: Sendable {
    /// Where to read (nil: the machine's journal).
    public var directory: String?
    /// How many of the latest lines are read.
    public var count = 50

    public init(directory: String? = nil) {
        self.directory = directory
    }

    /// The unit's latest lines, oldest first, or nil when the journal cannot be read.
    public func lines(of unit: String) -> [String]? {
        try? JournalReader.lastEntries(of: unit, count: count, directory: directory).map(\.message)
    }
}
