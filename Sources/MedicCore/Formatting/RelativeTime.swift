/// How long ago something happened, as a person reads it in a table: "just now", "42s ago",
/// "3m ago", "2h 5m ago", "3d 4h ago". JSON keeps absolute RFC 3339 times.
public enum RelativeTime {
    public static func ago(_ time: Double, now: Double) -> String {
        let seconds = Int((now - time).rounded(.down))
        guard seconds >= 1 else { return seconds < 0 ? "in the future" : "just now" }
        if seconds < 60 { return "\(seconds)s ago" }
        if seconds < 3600 { return "\(seconds / 60)m ago" }
        if seconds < 86_400 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m ago" }
        return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h ago"
    }
}
