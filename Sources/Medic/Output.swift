import Foundation
import MedicCore

/// Writes lines to stdout and stderr, flushing each so that piped readers see them at once. Text
/// from units and journals reaches a terminal only through here, with its control characters
/// escaped (`TerminalText`), so no service can move the cursor, clear the screen or retitle a window.
enum Output {
    static func line(_ text: String) {
        print(TerminalText.escape(text))
        fflush(nil)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("medic: \(TerminalText.escape(text))\n".utf8))
    }

    /// Rewrites the current terminal line with `text` (carriage return, clear to end of line); nil
    /// clears it. Only for a terminal: piped output gets whole lines from `line`.
    static func progress(_ text: String?) {
        print("\r\u{1B}[K" + TerminalText.escape(text ?? "", keepNewlines: false), terminator: "")
        fflush(nil)
    }

    /// One JSON document on one line, keys sorted so output is stable.
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        // JSON escapes C0 controls itself; DEL and C1 are escaped here so no reader's terminal sees them.
        print(TerminalText.escapeJSON(String(decoding: data, as: UTF8.self)))
        fflush(nil)
    }
}
