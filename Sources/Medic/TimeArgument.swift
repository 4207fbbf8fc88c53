import ArgumentParser
import MedicReports

/// A point in time given on the command line, in any form `TimeText` reads.
struct TimeArgument: ExpressibleByArgument {
    /// Seconds since the epoch.
    var seconds: Double

    init?(argument: String) {
        guard let seconds = TimeText.parse(argument) else { return nil }
        self.seconds = seconds
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
