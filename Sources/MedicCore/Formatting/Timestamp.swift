/// RFC 3339 formatting of epoch times, in UTC, without Foundation's date formatters.
public enum Timestamp {
    /// e.g. "2026-11-25T01:18:27.123456Z" for microseconds since the epoch.
    public static func rfc3339(micros: UInt64) -> String {
        let seconds = Int64(micros / 1_000_000)
        let fraction = Int(micros % 1_000_000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civil(fromDays: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var micro = String(fraction)
        micro = String(repeating: "0", count: 6 - micro.count) + micro
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)).\(micro)Z"
    }

    /// Seconds since the epoch (as a Double) formatted like `rfc3339(micros:)`.
    public static func rfc3339(seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return rfc3339(micros: 0) }
        return rfc3339(micros: UInt64(min(seconds, 253_402_300_799) * 1_000_000))
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }
}
