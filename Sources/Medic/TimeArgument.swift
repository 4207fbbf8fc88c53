import ArgumentParser
import Foundation
import MedicCore

/// A point in time given on the command line: an RFC 3339 time, a date (YYYY-MM-DD, UTC), seconds
/// since the epoch after an @ (as `date -d @…` takes them), or a duration meaning that long ago ("90m", "1d").
struct TimeArgument: ExpressibleByArgument {
    /// Seconds since the epoch.
    var seconds: Double

    init?(argument: String) {
        if argument.hasPrefix("@") {
            guard let epoch = Double(argument.dropFirst()), epoch.isFinite, epoch >= 0 else { return nil }
            seconds = epoch
            return
        }
        if let ago = DurationText.parse(argument) {
            seconds = Date().timeIntervalSince1970 - ago
            return
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = withFraction.date(from: argument) ?? plain.date(from: argument) ?? day.date(from: argument) else { return nil }
        seconds = date.timeIntervalSince1970
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
