/// Durations as operators write them in configuration: "30s", "5m", "1h30m", "30d", "100ms", "2w".
public enum DurationText {
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]

    /// The longest duration accepted: a century, far beyond any SLO window.
    public static let maximum: Double = 100 * 365 * 86_400

    /// Seconds, or nil when the text is not a sequence of number+unit parts or exceeds `maximum`.
    public static func parse(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters())
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.1
        }
        return total <= maximum ? total : nil
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
