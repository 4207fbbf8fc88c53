/// A value read from a D-Bus message, decoded without knowing its schema in advance.
///
/// Medic reads systemd's properties as `BusValue`s so that a property of an unexpected type is
/// reported or ignored rather than crashing the reader.
public indirect enum BusValue: Sendable, Equatable, Hashable {
    case byte(UInt8)
    case bool(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    case unixFD(Int32)
    case array([BusValue])
    case structure([BusValue])
    case dictEntry(key: BusValue, value: BusValue)
    case variant(BusValue)

    /// The value with any variant wrapping removed.
    public var unwrapped: BusValue {
        if case .variant(let inner) = self { return inner.unwrapped }
        return self
    }

    /// The text of a string, object path or signature.
    public var string: String? {
        switch unwrapped {
        case .string(let s), .objectPath(let s), .signature(let s): return s
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = unwrapped { return b }
        return nil
    }

    /// Any integer type widened to `Int64`, or nil when it does not fit or is not an integer.
    public var int64: Int64? {
        switch unwrapped {
        case .byte(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .uint16(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .uint32(let v): return Int64(v)
        case .int64(let v): return v
        case .uint64(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    /// Any unsigned or non-negative integer as `UInt64`.
    public var uint64: UInt64? {
        if case .uint64(let v) = unwrapped { return v }
        if let v = int64, v >= 0 { return UInt64(v) }
        return nil
    }

    public var array: [BusValue]? {
        if case .array(let items) = unwrapped { return items }
        return nil
    }

    public var structure: [BusValue]? {
        if case .structure(let items) = unwrapped { return items }
        return nil
    }

    /// An `a{sv}`-style array read as a dictionary keyed by string; nil if the shape differs.
    public var stringKeyedDictionary: [String: BusValue]? {
        guard let items = array else { return nil }
        var result: [String: BusValue] = [:]
        for item in items {
            guard case .dictEntry(let key, let value) = item, let name = key.string else { return nil }
            result[name] = value.unwrapped
        }
        return result
    }

    /// An array of strings, e.g. `as`; nil if any element is not a string.
    public var strings: [String]? {
        guard let items = array else { return nil }
        var result: [String] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let s = item.string else { return nil }
            result.append(s)
        }
        return result
    }
}
