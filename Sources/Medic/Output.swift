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

    /// One JSON document on one line, keys sorted so output is stable.
    static func json<T: Encodable>(_ value: T, pretty: Bool = false) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return }
        line(String(decoding: data, as: UTF8.self))
    }
}
