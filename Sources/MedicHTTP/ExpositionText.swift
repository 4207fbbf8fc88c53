import MedicCore

/// Prometheus text exposition (format 0.0.4) written straight into a byte buffer: one family at a
/// time, its `# HELP` and `# TYPE` lines, then its samples. Label values are escaped as the format
/// asks (backslash, double quote, newline), since unit names may hold backslashes (`\x2d`).
///
/// Medic writes its per-unit series with this rather than through swift-prometheus's registry: the
/// registry copies a family's whole dictionary for every series added, so registering the tens of
/// thousands of series of a few thousand units took seconds (26 s at 3000 units) before the first
/// scrape could answer. The registry still carries the event metrics recorded through swift-metrics.
struct ExpositionText {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// A metric family's header; its samples follow with `sample`.
    mutating func family(_ name: String, _ type: String, _ help: String) {
        append("# HELP ")
        append(name)
        bytes.append(0x20)
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\n"): append("\\n")
            default: bytes.append(byte)
            }
        }
        append("\n# TYPE ")
        append(name)
        bytes.append(0x20)
        append(type)
        bytes.append(0x0A)
    }

    /// One sample without labels: `name value`.
    mutating func sample(_ name: String, _ value: Double) {
        append(name)
        bytes.append(0x20)
        append(Self.number(value))
        bytes.append(0x0A)
    }

    /// One sample with labels already written as `key="value"` pairs (see `label`), and perhaps one more
    /// pair after them: the unit's label is written once per render, not once per sample.
    mutating func sample(_ name: String, _ labels: [UInt8], _ value: Double) {
        sample(name, labels, nil, value)
    }

    /// A sample with the unit's label and one more pair (`health="failed"`).
    mutating func sample(_ name: String, _ labels: [UInt8], _ more: [UInt8]?, _ value: Double) {
        append(name)
        bytes.append(UInt8(ascii: "{"))
        bytes.append(contentsOf: labels)
        if let more {
            bytes.append(UInt8(ascii: ","))
            bytes.append(contentsOf: more)
        }
        bytes.append(contentsOf: "} ".utf8)
        append(Self.number(value))
        bytes.append(0x0A)
    }

    /// `key="value"` with the value escaped (backslash, double quote, newline).
    static func label(_ key: String, _ value: String) -> [UInt8] {
        var pair = Array(key.utf8)
        pair.append(contentsOf: "=\"".utf8)
        let utf8 = value.utf8
        if utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\\"): pair.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): pair.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): pair.append(contentsOf: "\\n".utf8)
                default: pair.append(byte)
                }
            }
        } else {
            pair.append(contentsOf: utf8)
        }
        pair.append(UInt8(ascii: "\""))
        return pair
    }

    /// Appends what another writer (the registry) produced.
    mutating func append(contentsOf other: [UInt8]) {
        bytes.append(contentsOf: other)
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Whole numbers without a fraction, others shortest round-trip, and the format's spellings of
    /// infinity and NaN.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return NumberText.shortest(value)
    }
}
