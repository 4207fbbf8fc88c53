/// Decides when trouble writing the history is worth a log line: the first failure, then at most
/// once a minute while it lasts (or when its kind changes, e.g. from a full disk to a read-only
/// one), and once when writes succeed again. A full disk must not flood the journal it shares.
public struct WriteTrouble: Sendable, Equatable {
    /// How often a lasting problem is repeated in the log.
    public static let repeatEvery: Double = 60

    /// When the current run of failures began, nil while writes succeed.
    public private(set) var since: Double?
    /// Failed writes since the last line about them.
    public private(set) var unreported = 0
    private var lastReport: Double?
    private var lastKind: String?

    public init() {}

    /// True while writes are failing.
    public var isFailing: Bool { since != nil }

    /// A write failed at `time`; `kind` is a short description ("disk is full"). Returns the line
    /// to log, or nil to stay quiet.
    public mutating func failed(kind: String, at time: Double) -> String? {
        unreported += 1
        if since == nil { since = time }
        if let lastReport, time - lastReport < Self.repeatEvery, kind == lastKind { return nil }
        let first = lastReport == nil
        let count = unreported
        lastReport = time
        lastKind = kind
        unreported = 0
        if first { return "cannot write the history: \(kind); unit states and corrections are kept in memory and written once it can be" }
        return "still cannot write the history: \(kind) (\(count) failed writes in \(FailureDescription.window(time - (since ?? time))))"
    }

    /// A write succeeded at `time`. Returns the line to log when this ends a run of failures.
    public mutating func succeeded(at time: Double, written: Int) -> String? {
        guard let since else { return nil }
        self = WriteTrouble()
        let caught = written > 0 ? "; \(written) held-back writes are now stored" : ""
        return "the history is writable again after \(FailureDescription.window(time - since))\(caught)"
    }
}
