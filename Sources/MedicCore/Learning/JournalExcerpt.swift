/// Caps the journal lines kept with a correction: the newest lines, each cut to a length, within a
/// total size. Pure.
public enum JournalExcerpt {
    public static let maximumLines = 20
    public static let maximumLineLength = 300
    public static let maximumBytes = 4096

    /// The newest of `lines` (oldest first) that fit, oldest first; cut lines end with "…".
    public static func cap(_ lines: [String]) -> [String] {
        var kept: [String] = []
        var bytes = 0
        for line in lines.suffix(maximumLines).reversed() {
            let cut = line.count > maximumLineLength ? String(line.prefix(maximumLineLength - 1)) + "…" : line
            bytes += cut.utf8.count
            if bytes > maximumBytes { break }
            kept.append(cut)
        }
        return kept.reversed()
    }
}
