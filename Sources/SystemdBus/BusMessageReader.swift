import CSystemd

/// Reads the body of an sd-bus message into `BusValue`s.
///
/// Only valid on the bus thread while the message is referenced; everything it returns is copied out,
/// so the values outlive the message.
public struct BusMessageReader: ~Copyable {
    let message: OpaquePointer

    init(message: OpaquePointer) {
        self.message = message
    }

    /// Reads every remaining value at the current level.
    public func readAll() throws(BusError) -> [BusValue] {
        var values: [BusValue] = []
        while let value = try readNext() {
            values.append(value)
        }
        return values
    }

    /// Reads the next value, or returns nil at the end of the current container or message.
    public func readNext() throws(BusError) -> BusValue? {
        var type: CChar = 0
        var contents: UnsafePointer<CChar>? = nil
        let r = sd_bus_message_peek_type(message, &type, &contents)
        try BusError.check(r, "reading a bus message")
        if r == 0 { return nil }
        let t = UInt8(bitPattern: type)
        switch t {
        case UInt8(ascii: "a"), UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "v"):
            let inner = contents.map { String(cString: $0) } ?? ""
            try BusError.check(sd_bus_message_enter_container(message, type, contents), "entering a \(Character(UnicodeScalar(t))) container")
            let items = try readAll()
            try BusError.check(sd_bus_message_exit_container(message), "leaving a container")
            switch t {
            case UInt8(ascii: "a"): return .array(items)
            case UInt8(ascii: "r"): return .structure(items)
            case UInt8(ascii: "e"):
                guard items.count == 2 else {
                    throw BusError(operation: "reading a dictionary entry of \(items.count) values", errno: 74 /* EBADMSG */)
                }
                return .dictEntry(key: items[0], value: items[1])
            default:
                guard let value = items.first else {
                    throw BusError(operation: "reading an empty variant of signature \(inner)", errno: 74)
                }
                return .variant(value)
            }
        default:
            return try readBasic(type)
        }
    }

    /// Reads an `a{sv}` property dictionary, decoding only the properties named in `keeping` and
    /// skipping the others unread (systemd sends hundreds per unit; Medic needs a few dozen).
    public func readProperties(keeping: Set<String>) throws(BusError) -> [String: BusValue] {
        try BusError.check(sd_bus_message_enter_container(message, CChar(UInt8(ascii: "a")), "{sv}"), "entering a property dictionary")
        var result: [String: BusValue] = [:]
        while true {
            let entered = sd_bus_message_enter_container(message, CChar(UInt8(ascii: "e")), "sv")
            try BusError.check(entered, "entering a property")
            if entered == 0 { break }
            let name = try readString(CChar(UInt8(ascii: "s")))
            if keeping.contains(name), let value = try readNext() {
                result[name] = value.unwrapped
            } else {
                try BusError.check(sd_bus_message_skip(message, "v"), "skipping property \(name)")
            }
            try BusError.check(sd_bus_message_exit_container(message), "leaving a property")
        }
        try BusError.check(sd_bus_message_exit_container(message), "leaving a property dictionary")
        return result
    }

    private func readBasic(_ type: CChar) throws(BusError) -> BusValue {
        switch UInt8(bitPattern: type) {
        case UInt8(ascii: "y"): var v: UInt8 = 0; try read(type, &v); return .byte(v)
        case UInt8(ascii: "b"): var v: Int32 = 0; try read(type, &v); return .bool(v != 0)
        case UInt8(ascii: "n"): var v: Int16 = 0; try read(type, &v); return .int16(v)
        case UInt8(ascii: "q"): var v: UInt16 = 0; try read(type, &v); return .uint16(v)
        case UInt8(ascii: "i"): var v: Int32 = 0; try read(type, &v); return .int32(v)
        case UInt8(ascii: "u"): var v: UInt32 = 0; try read(type, &v); return .uint32(v)
        case UInt8(ascii: "x"): var v: Int64 = 0; try read(type, &v); return .int64(v)
        case UInt8(ascii: "t"): var v: UInt64 = 0; try read(type, &v); return .uint64(v)
        case UInt8(ascii: "d"): var v: Double = 0; try read(type, &v); return .double(v)
        case UInt8(ascii: "h"): var v: Int32 = 0; try read(type, &v); return .unixFD(v)
        case UInt8(ascii: "s"): return .string(try readString(type))
        case UInt8(ascii: "o"): return .objectPath(try readString(type))
        case UInt8(ascii: "g"): return .signature(try readString(type))
        default:
            throw BusError(operation: "reading unsupported D-Bus type '\(Character(UnicodeScalar(UInt8(bitPattern: type))))'", errno: 74)
        }
    }

    private func read<T>(_ type: CChar, _ value: inout T) throws(BusError) {
        let r = withUnsafeMutablePointer(to: &value) { sd_bus_message_read_basic(message, type, $0) }
        try BusError.check(r, "reading a value of type \(Character(UnicodeScalar(UInt8(bitPattern: type))))")
    }

    private func readString(_ type: CChar) throws(BusError) -> String {
        var pointer: UnsafePointer<CChar>? = nil
        let r = sd_bus_message_read_basic(message, type, &pointer)
        try BusError.check(r, "reading a string")
        // The pointer is borrowed from the message: copy it now.
        return pointer.map { String(cString: $0) } ?? ""
    }
}
