import Foundation
import MedicCore

/// The one encoder behind every `--json` document and every `/api/v1` response: keys sorted so the
/// output is stable, slashes kept, and DEL and C1 controls escaped so that no reader's terminal sees them.
public enum JSONDocument {
    public static func text<T: Encodable>(_ value: T, pretty: Bool = true) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return TerminalText.escapeJSON(String(decoding: data, as: UTF8.self))
    }
}
