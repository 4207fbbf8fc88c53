import MedicCore
import Yams

/// A position in a parsed YAML document: the node, its dotted field path and the file, so every
/// reading error can name file, line, column and field.
struct YAMLCursor {
    let node: Node
    let path: String
    let file: String

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, field: path, message: message)
    }

    private func child(_ node: Node, _ key: String) -> YAMLCursor {
        YAMLCursor(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The mapping's values by key; a key not in `allowed` is an error (typos must not pass silently).
    func mapping(allowed: Set<String>) throws(ConfigError) -> [String: YAMLCursor] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of \(allowed.sorted().joined(separator: ", "))") }
        var result: [String: YAMLCursor] = [:]
        for (keyNode, value) in mapping {
            let keyCursor = YAMLCursor(node: keyNode, path: path, file: file)
            guard let key = keyNode.scalar?.string else { throw keyCursor.error("keys must be plain names") }
            guard allowed.contains(key) else {
                throw child(keyNode, key).error("unknown field; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            guard result[key] == nil else { throw child(keyNode, key).error("appears twice") }
            result[key] = child(value, key)
        }
        return result
    }

    func sequence() throws(ConfigError) -> [YAMLCursor] {
        guard case .sequence(let sequence) = node else { throw error("expected a list") }
        return sequence.enumerated().map { YAMLCursor(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a single value") }
        return scalar.string
    }

    func number() throws(ConfigError) -> Double {
        let text = try string()
        guard let value = Double(text), value.isFinite else { throw error("expected a number, got '\(text)'") }
        return value
    }

    func integer(atLeast minimum: Int) throws(ConfigError) -> Int {
        let text = try string()
        guard let value = Int(text), value >= minimum else { throw error("expected a whole number of at least \(minimum), got '\(text)'") }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false")
        }
    }

    /// A positive duration such as "30s", "5m", "1h30m", "30d".
    func duration() throws(ConfigError) -> Double {
        let text = try string()
        guard let seconds = DurationText.parse(text), seconds > 0 else {
            throw error("expected a duration such as 30s, 5m, 1h or 30d, got '\(text)'")
        }
        return seconds
    }

    func pattern() throws(ConfigError) -> UnitPattern {
        let text = try string()
        do throws(UnitPattern.Invalid) {
            return try UnitPattern(text)
        } catch {
            throw self.error("invalid unit pattern '\(text)': \(error.problem)")
        }
    }

    func patterns() throws(ConfigError) -> [UnitPattern] {
        if case .scalar = node { return [try pattern()] }
        return try sequence().map { cursor throws(ConfigError) in try cursor.pattern() }
    }
}
