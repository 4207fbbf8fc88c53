import MedicCore
import Testing

@Suite("Formatting")
struct FormattingTests {
    @Test("RFC 3339 with microseconds in UTC", arguments: [
        (UInt64(0), "1970-01-01T00:00:00.000000Z"),
        (951_782_400_000_001, "2000-02-29T00:00:00.000001Z"),
        (1_800_000_000_123_456, "2027-01-15T08:00:00.123456Z"),
        (4_102_444_799_999_999, "2099-12-31T23:59:59.999999Z"),
    ])
    func rfc3339(micros: UInt64, text: String) {
        #expect(Timestamp.rfc3339(micros: micros) == text)
    }

    @Test("durations", arguments: [(0.0, "0s"), (59.4, "59s"), (60, "1m00s"), (372, "6m12s"), (7380, "2h03m"), (273_600, "3d04h")])
    func durations(seconds: Double, text: String) {
        #expect(FailureDescription.duration(seconds) == text)
    }

    @Test("relative times", arguments: [(0.4, "just now"), (42.0, "42s ago"), (185, "3m ago"), (7500, "2h 5m ago"), (273_600, "3d 4h ago"), (-5, "in the future")])
    func relative(ago: Double, text: String) {
        #expect(RelativeTime.ago(1_000_000 - ago, now: 1_000_000) == text)
    }

    @Test("formatting never traps on odd numbers")
    func oddNumbers() {
        #expect(FailureDescription.duration(.infinity) == "0s")
        #expect(FailureDescription.duration(.nan) == "0s")
        #expect(FailureDescription.duration(-5) == "0s")
        #expect(FailureDescription.window(1e300) == "1000000000000000s")
        #expect(Timestamp.rfc3339(seconds: .infinity) == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp.rfc3339(seconds: 1e20) == "9999-12-31T23:59:59.000000Z")
    }

    @Test("signal names", arguments: [(Int32(9), "SIGKILL"), (15, "SIGTERM"), (6, "SIGABRT"), (34, "SIGRTMIN+0"), (99, "signal 99")])
    func signals(number: Int32, name: String) {
        #expect(SignalName.of(number) == name)
    }

    @Test("unit types from names")
    func unitTypes() {
        #expect(UnitType(unitName: "a.service") == .service)
        #expect(UnitType(unitName: "a.b.timer") == .timer)
        #expect(UnitType(unitName: "noext") == nil)
        #expect(UnitType(unitName: "a.bogus") == nil)
    }
}
