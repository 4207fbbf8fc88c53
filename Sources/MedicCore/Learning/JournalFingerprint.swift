/// A stable fingerprint of a unit's last error lines: the variable parts (timestamps, hex ids,
/// UUIDs, paths, numbers) are masked, so "the same failure" reads the same across units, restarts
/// and machines. Pure.
public struct JournalFingerprint: Sendable, Equatable {
    /// The masked lines the fingerprint was taken from, joined with " | ".
    public var text: String
    /// A short hash of `text` (8 hex digits, FNV-1a), stable across runs and builds.
    public var hash: String

    /// How many distinct error lines make the fingerprint.
    public static let lineCount = 3

    /// Words that make a line an error line.
    static let errorWords = ["error", "fail", "fatal", "panic", "exception", "denied", "refused", "cannot", "can't",
                             "unable", "abort", "killed", "segfault", "out of memory", "timed out", "not found", "no such"]

    /// The fingerprint of the last error lines among `lines` (oldest first); nil when none looks like an error.
    public init?(lines: [String]) {
        let errors = lines.filter { line in
            let lower = line.lowercased()
            return Self.errorWords.contains { lower.contains($0) }
        }
        guard !errors.isEmpty else { return nil }
        // Distinct masked lines, newest last: a failure that repeats leaves the same fingerprint
        // however many times its lines are in the journal.
        var distinct: [String] = []
        for line in errors.reversed().map(Self.mask) where !distinct.contains(line) {
            distinct.append(line)
            if distinct.count == Self.lineCount { break }
        }
        text = distinct.reversed().joined(separator: " | ")
        hash = Self.fnv1a(text)
    }

    /// One line with its variable parts replaced by placeholders, and runs of blanks collapsed.
    public static func mask(_ line: String) -> String {
        var masked = line
        let rules: [(Regex<Substring>, String)] = [
            (/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/, "<time>"),
            (/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/, "<time>"),
            (/\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/, "<uuid>"),
            (/\b0x[0-9a-fA-F]+\b/, "<hex>"),
            (/\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b/, "<hex>"),
            (/(?:\/[\w.@+~-]+)+\/?/, "<path>"),
            (/\d+(?:\.\d+)?/, "<n>"),
            (/\s+/, " "),
        ]
        for (pattern, placeholder) in rules { masked = masked.replacing(pattern, with: placeholder) }
        return trimmed(masked)
    }

    static func fnv1a(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
