import CSystemd

/// A typed argument for a method call, knowing its own D-Bus signature.
public indirect enum BusArgument: Sendable, Equatable {
    case string(String)
    case objectPath(String)
    case bool(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    /// An array whose elements all have `elementSignature`; the signature is needed for empty arrays.
    case array(elementSignature: String, [BusArgument])
    case structure([BusArgument])
    case dictEntry(BusArgument, BusArgument)
    case variant(BusArgument)

    /// The D-Bus signature of this argument.
    public var signature: String {
        switch self {
        case .string: return "s"
        case .objectPath: return "o"
        case .bool: return "b"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .array(let element, _): return "a" + element
        case .structure(let items): return "(" + items.map(\.signature).joined() + ")"
        case .dictEntry(let key, let value): return "{" + key.signature + value.signature + "}"
        case .variant: return "v"
        }
    }

    /// An `as` argument.
    public static func strings(_ values: [String]) -> BusArgument {
        .array(elementSignature: "s", values.map { .string($0) })
    }

    /// Appends this argument to a message being built; bus thread only.
    func append(to message: OpaquePointer) throws(BusError) {
        switch self {
        case .string(let s): try appendString("s", s, message)
        case .objectPath(let s): try appendString("o", s, message)
        case .bool(let b): var v: Int32 = b ? 1 : 0; try appendBasic("b", &v, message)
        case .int32(var v): try appendBasic("i", &v, message)
        case .uint32(var v): try appendBasic("u", &v, message)
        case .int64(var v): try appendBasic("x", &v, message)
        case .uint64(var v): try appendBasic("t", &v, message)
        case .double(var v): try appendBasic("d", &v, message)
        case .array(let element, let items):
            try container("a", element, items, message)
        case .structure(let items):
            try container("r", String(signature.dropFirst().dropLast()), items, message)
        case .dictEntry(let key, let value):
            try container("e", key.signature + value.signature, [key, value], message)
        case .variant(let inner):
            try container("v", inner.signature, [inner], message)
        }
    }

    private func container(_ type: Character, _ contents: String, _ items: [BusArgument], _ message: OpaquePointer) throws(BusError) {
        let r = contents.withCString { sd_bus_message_open_container(message, CChar(type.asciiValue!), $0) }
        try BusError.check(r, "opening container \(type)\(contents)")
        for item in items { try item.append(to: message) }
        try BusError.check(sd_bus_message_close_container(message), "closing container \(type)\(contents)")
    }

    private func appendString(_ type: Character, _ value: String, _ message: OpaquePointer) throws(BusError) {
        let r = value.withCString { sd_bus_message_append_basic(message, CChar(type.asciiValue!), $0) }
        try BusError.check(r, "appending \(type) argument")
    }

    private func appendBasic<T>(_ type: Character, _ value: inout T, _ message: OpaquePointer) throws(BusError) {
        let r = withUnsafePointer(to: &value) { sd_bus_message_append_basic(message, CChar(type.asciiValue!), $0) }
        try BusError.check(r, "appending \(type) argument")
    }
}
