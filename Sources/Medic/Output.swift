import Foundation
import MedicCore
import MedicReports

/// Writes lines to stdout and stderr, flushing each so that piped readers see them at once. Text
/// from units and journals reaches a terminal only through here, with its control characters
/// escaped (`TerminalText`), so no service can move the cursor, clear the screen or retitle a window.
enum Output {
    static func line(_ text: String) {
        print(TerminalText.escape(text))
        fflush(nil)
    }

    /// One line of pieces, each escaped; a piece with a health class is coloured when `color` is on
    /// (the colour codes are Medic's own, the text inside them escaped like any other).
    static func line(_ pieces: [(text: String, health: Health?)], color: Bool) {
        var line = ""
        for piece in pieces {
            let text = TerminalText.escape(piece.text)
            if color, let health = piece.health, let sgr = ColorOptions.sgr(health) {
                line += "\u{1B}[\(sgr)m" + text + "\u{1B}[0m"
            } else {
                line += text
            }
        }
        print(line)
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

    /// One JSON document (`JSONDocument`, as the dashboard's API serves it); on one line unless `pretty`.
    static func json<T: Encodable>(_ value: T, pretty: Bool = true) {
        guard let text = JSONDocument.text(value, pretty: pretty) else { return }
        print(text)
        fflush(nil)
    }
}
