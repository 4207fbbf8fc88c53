import Foundation
import MedicCore

/// A point in time as an operator writes it: an RFC 3339 time, a date (YYYY-MM-DD, UTC), seconds
/// since the epoch after an @ (as `date -d @…` takes them), or a duration meaning that long ago
/// ("90m", "1d"). Shared by the command line's `--since`/`--at` and the dashboard's filters.
public enum TimeText {
    /// Seconds since the epoch, or nil when `text` is none of the forms above.
    public static func parse(_ text: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        if text.hasPrefix("@") {
            guard let epoch = Double(text.dropFirst()), epoch.isFinite, epoch >= 0 else { return nil }
            return epoch
        }
        if let ago = DurationText.parse(text) { return now - ago }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return (withFraction.date(from: text) ?? plain.date(from: text) ?? day.date(from: text))?.timeIntervalSince1970
    }
}
