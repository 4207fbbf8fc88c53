import Foundation

/// Writes lines to stdout and stderr, flushing each so that piped readers see them at once.
enum Output {
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("medic: \(text)\n".utf8))
    }

    /// Rewrites the current terminal line with `text` (carriage return, clear to end of line); nil
    /// clears it. Only for a terminal: piped output gets whole lines from `line`.
    static func progress(_ text: String?) {
        print("\r\u{1B}[K" + (text ?? ""), terminator: "")
        fflush(nil)
    }

    /// One JSON document on one line, keys sorted so output is stable.
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        line(String(decoding: data, as: UTF8.self))
    }
}
