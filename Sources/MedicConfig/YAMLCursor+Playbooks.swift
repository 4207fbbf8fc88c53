import MedicCore
import Yams

extension YAMLCursor {
    /// A single value or a list of values, as cursors.
    func list() -> [YAMLCursor] {
        if case .sequence = node { return (try? sequence()) ?? [] }
        return [self]
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string()
        guard let value = Int(text), range.contains(value) else {
            throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// One of an enum's raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigError) -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw error("expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    /// A name made of letters, digits, '-', '_' and '.'.
    func identifier() throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty, text.count <= 100, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw error("expected a name of letters, digits, '-', '_' and '.', at most 100 characters")
        }
        return text
    }

    /// A signal by number (9), name (KILL) or full name (SIGKILL).
    func signal() throws(ConfigError) -> Int32 {
        let text = try string()
        if let number = Int32(text), (1...64).contains(number) { return number }
        let name = text.hasPrefix("SIG") ? text : "SIG" + text
        for number in Int32(1)...31 where SignalName.of(number) == name { return number }
        throw error("expected a signal such as SIGTERM, KILL or 9, got '\(text)'")
    }

    /// A command as a non-empty list of strings, starting with an absolute path.
    func argv() throws(ConfigError) -> [String] {
        guard case .sequence = node else {
            throw error("expected a list such as [/usr/bin/logger, restarted]: commands never go through a shell")
        }
        let items = try sequence().map { item throws(ConfigError) in try item.string() }
        guard let program = items.first else { throw error("needs at least the program") }
        guard program.hasPrefix("/") else { throw error("the program must be an absolute path, got '\(program)'") }
        return items
    }

    /// A unit pattern that can match something: its type suffix, when spelled out, must be a unit type.
    func reachablePattern() throws(ConfigError) -> UnitPattern {
        let pattern = try self.pattern()
        let text = try string()
        if let dot = text.lastIndex(of: ".") {
            let suffix = text[text.index(after: dot)...]
            if !suffix.isEmpty, suffix.allSatisfy(\.isLetter), UnitType(rawValue: String(suffix)) == nil {
                throw error("'\(text)' can match nothing: '.\(suffix)' is not a unit type (\(UnitType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        return pattern
    }
}
