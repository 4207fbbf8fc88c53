/// A resource property value: bytes ("512M", "2G"), a percentage ("50%"), a plain count, or infinity.
public enum ResourceAmount: Sendable, Equatable {
    case bytes(UInt64)
    case percent(Double)
    case count(UInt64)
    case infinity

    /// Parses systemd-style values; sizes use base 1024 like systemd (K, M, G, T).
    public init?(_ text: String) {
        let t = text.trimmingCharacters()
        if t == "infinity" { self = .infinity; return }
        if t.hasSuffix("%") {
            guard let value = Double(t.dropLast()), value >= 0, value <= 100_000 else { return nil }
            self = .percent(value)
            return
        }
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let last = t.last, let unit = units[last] {
            guard let value = Double(t.dropLast()), value >= 0, value * Double(unit) < 1.8e19 else { return nil }
            self = .bytes(UInt64(value * Double(unit)))
            return
        }
        guard let value = UInt64(t) else { return nil }
        self = .count(value)
    }
}

/// What `set-property` does to a property: set it, or raise/lower it relative to its current value.
public enum PropertyChange: Sendable, Equatable {
    case absolute(ResourceAmount)
    /// "+25%" is 25, "-10%" is -10.
    case relativePercent(Double)

    public init?(_ text: String) {
        let t = text.trimmingCharacters()
        if (t.hasPrefix("+") || t.hasPrefix("-")) && t.hasSuffix("%") {
            guard let value = Double(t.dropLast()), abs(value) <= 1000 else { return nil }
            self = .relativePercent(value)
            return
        }
        guard let amount = ResourceAmount(t) else { return nil }
        self = .absolute(amount)
    }

    /// The properties Medic may change at runtime, with the kind of value each takes.
    public static let supported: [String: String] = [
        "MemoryMax": "bytes", "MemoryHigh": "bytes", "MemorySwapMax": "bytes", "TasksMax": "count",
        "CPUQuota": "percent", "CPUWeight": "count", "IOWeight": "count",
    ]
}
