import MedicCore
import SystemdJournal

/// A unit's recent journal messages, read only when some playbook matches on them.
public struct JournalLines: Sendable {
    /// Where to read (nil: the machine's journal).
    public var directory: String?
    /// How many of the latest lines a playbook's `journal` expression is searched in.
    public var count = 50

    public init(directory: String? = nil) {
        self.directory = directory
    }

    /// The lines, or nil when no playbook needs them or the journal cannot be read.
    public func lines(of unit: String, for playbooks: [Playbook]) -> [String]? {
        guard playbooks.contains(where: { $0.match.journal != nil }) else { return nil }
        return try? JournalReader.lastEntries(of: unit, count: count, directory: directory).map(\.message)
    }
}
