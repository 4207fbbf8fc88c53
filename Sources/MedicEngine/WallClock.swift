import Foundation

/// The current wall-clock time and its relation to CLOCK_MONOTONIC, passed in so that tests can fix it.
public struct WallClock: Sendable {
    /// Seconds since the Unix epoch.
    public var now: @Sendable () -> Double
    /// Microseconds of CLOCK_MONOTONIC, the clock systemd's monotonic timestamps use.
    public var monotonicMicros: @Sendable () -> UInt64

    public init(now: @escaping @Sendable () -> Double, monotonicMicros: @escaping @Sendable () -> UInt64) {
        self.now = now
        self.monotonicMicros = monotonicMicros
    }

    /// The machine's clocks.
    public static let system = WallClock(
        now: { Date().timeIntervalSince1970 },
        monotonicMicros: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
        }
    )

    /// A monotonic timestamp translated to realtime microseconds.
    public func realtime(fromMonotonicMicros mono: UInt64) -> UInt64 {
        let offset = Int64(bitPattern: mono) - Int64(bitPattern: monotonicMicros())
        let nowMicros = Int64(now() * 1_000_000)
        return UInt64(max(0, nowMicros + offset))
    }
}
