import MedicCore

/// Gathers every problem found in a file instead of stopping at the first, so `medic playbook check`
/// can list them all.
final class ProblemCollector {
    private(set) var problems: [ConfigError] = []

    func add(_ problem: ConfigError) {
        problems.append(problem)
    }

    /// Runs `read`; a problem it throws is recorded and nil returned.
    func attempt<T>(_ read: () throws(ConfigError) -> T) -> T? {
        do {
            return try read()
        } catch {
            problems.append(error)
            return nil
        }
    }

    /// Reads an optional field; nil when it is absent or has a problem (recorded).
    func read<T>(_ cursor: YAMLCursor?, _ body: (YAMLCursor) throws(ConfigError) -> T) -> T? {
        guard let cursor else { return nil }
        return attempt { () throws(ConfigError) in try body(cursor) }
    }

    /// One pattern or a list of them, each problem recorded (nil when any had one).
    func patterns(_ cursor: YAMLCursor) -> [UnitPattern]? {
        let items: [YAMLCursor]
        if case .scalar = cursor.node {
            items = [cursor]
        } else if let list = attempt({ () throws(ConfigError) in try cursor.sequence() }) {
            items = list
        } else {
            return nil
        }
        let before = problems.count
        let patterns = items.compactMap { item in attempt { () throws(ConfigError) in try item.pattern() } }
        return problems.count == before ? patterns : nil
    }
}

extension YAMLCursor {
    /// Like `mapping(allowed:)`, but records unknown or repeated keys and goes on.
    func mapping(allowed: Set<String>, problems: ProblemCollector) -> [String: YAMLCursor]? {
        guard case .mapping(let mapping) = node else {
            problems.add(error("expected a mapping of \(allowed.sorted().joined(separator: ", "))"))
            return nil
        }
        var result: [String: YAMLCursor] = [:]
        for (keyNode, value) in mapping {
            let keyCursor = YAMLCursor(node: keyNode, path: path, file: file)
            guard let key = keyNode.scalar?.string else {
                problems.add(keyCursor.error("keys must be plain names"))
                continue
            }
            let child = YAMLCursor(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            let keyed = YAMLCursor(node: keyNode, path: child.path, file: file)
            if !allowed.contains(key) {
                problems.add(keyed.error("unknown field; expected one of \(allowed.sorted().joined(separator: ", "))"))
            } else if result[key] != nil {
                problems.add(keyed.error("appears twice"))
            } else {
                result[key] = child
            }
        }
        return result
    }
}
