/// Makes text written by whoever controls a service (unit names, descriptions, journal lines, stored
/// excerpts) safe to show: control characters cannot move the cursor, clear the screen, retitle the
/// window or ring the bell; they are shown visibly instead.
public enum TerminalText {
    /// Escapes C0 controls (except tab, and newline when `keepNewlines`), DEL and C1 controls as
    /// `\xNN` (`\u{NN}` for C1, which are two bytes in UTF-8). Text without them is returned as is.
    public static func escape(_ text: String, keepNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepNewlines: keepNewlines) }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, keepNewlines: keepNewlines) {
                result += scalar.value < 0x80 ? "\\x" + hex(scalar.value) : "\\u{" + hex(scalar.value) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Replaces DEL and C1 controls in an encoded JSON document with `\u00NN` escapes; JSON
    /// encoders escape C0 already, and these characters can only occur inside strings.
    public static func escapeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                result += "\\u00" + hex(scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Decodes bytes as UTF-8, showing each byte that is not part of valid UTF-8 as `\xNN` rather
    /// than silently replacing it.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var result = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var pending = Array(bytes)[...]
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                result.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                pending = pending.dropFirst(encoded.count)
            case .error(let length):
                for byte in pending.prefix(length) { result += "\\x" + hex(UInt32(byte)) }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return result
            }
        }
    }

    static func needsEscape(_ scalar: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x0A: return !keepNewlines
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
