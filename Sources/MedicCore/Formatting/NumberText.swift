/// Numbers as people and Prometheus read them: whole numbers without a fraction (14.4, 6, 0.25).
public enum NumberText {
    /// The shortest decimal text that reads back as `value`; whole numbers without ".0".
    public static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension NumberText {
    /// `value` with exactly `digits` decimals (rounded half away from zero): 0.8 → "0.80".
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(value) }
        var scale: Int64 = 1
        for _ in 0..<max(0, digits) { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let whole = scaled / scale
        let fraction = String(scaled % scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// A fraction as a whole percentage: 0.876 → "88%".
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "-" }
        return "\(Int((fraction * 100).rounded()))%"
    }
}
