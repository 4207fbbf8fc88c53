import MedicCore

/// Reads one step: a bare action name (`restart`) or a one-key mapping (`kill: {signal: TERM}`).
enum PlaybookStepParser {
    static let actions = ["restart", "start", "stop", "reload", "reset-failed", "kill", "set-property", "run", "wait", "notify"]
    static let bare: [String: PlaybookStep] = ["restart": .restart, "start": .start, "stop": .stop, "reload": .reload, "reset-failed": .resetFailed]

    static func parse(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> PlaybookStep? {
        if case .scalar(let scalar) = cursor.node {
            if let step = bare[scalar.string] { return step }
            let known = actions.contains(scalar.string)
            problems.add(cursor.error(known ? "'\(scalar.string)' needs arguments" : "unknown action '\(scalar.string)'; expected one of \(actions.joined(separator: ", "))"))
            return nil
        }
        guard case .mapping(let mapping) = cursor.node, mapping.count == 1, let (keyNode, value) = mapping.first.map({ ($0.key, $0.value) }),
              let action = keyNode.scalar?.string
        else {
            problems.add(cursor.error("a step is an action name or a mapping with a single action"))
            return nil
        }
        let args = YAMLCursor(node: value, path: "\(cursor.path).\(action)", file: cursor.file)
        switch action {
        case "wait":
            return problems.attempt { () throws(ConfigError) in .wait(try args.duration()) }
        case "kill":
            guard let f = args.mapping(allowed: ["signal", "whom"], problems: problems) else { return nil }
            let signal = f["signal"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.signal() } } ?? 15
            let whom = f["whom"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.choice(PlaybookStep.KillTarget.self) } } ?? .main
            return .kill(signal: signal, whom: whom)
        case "set-property":
            return parseSetProperty(args, problems)
        case "run":
            guard let f = args.mapping(allowed: ["argv", "undo", "timeout", "user"], problems: problems) else { return nil }
            guard let argvCursor = f["argv"] else {
                problems.add(args.error("needs 'argv', a list such as [/usr/bin/systemctl, --user, ...]"))
                return nil
            }
            guard let argv = problems.attempt({ () throws(ConfigError) in try argvCursor.argv() }) else { return nil }
            let undo = f["undo"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.argv() } }
            let timeout = f["timeout"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.duration() } } ?? 30
            let user = f["user"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.string() } }
            return .run(argv: argv, undo: undo, timeout: timeout, user: user)
        case "notify":
            guard let f = args.mapping(allowed: ["argv", "webhook"], problems: problems) else { return nil }
            switch (f["argv"], f["webhook"]) {
            case (let argv?, nil):
                return problems.attempt { () throws(ConfigError) in .notify(.command(try argv.argv())) }
            case (nil, let hook?):
                guard let url = problems.attempt({ () throws(ConfigError) in try hook.string() }) else { return nil }
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    problems.add(hook.error("expected an http:// or https:// URL"))
                    return nil
                }
                return .notify(.webhook(url))
            default:
                problems.add(args.error("needs exactly one of 'argv' or 'webhook'"))
                return nil
            }
        default:
            let key = YAMLCursor(node: keyNode, path: cursor.path, file: cursor.file)
            problems.add(key.error(bare[action] != nil ? "'\(action)' takes no arguments" : "unknown action '\(action)'; expected one of \(actions.joined(separator: ", "))"))
            return nil
        }
    }

    private static func parseSetProperty(_ args: YAMLCursor, _ problems: ProblemCollector) -> PlaybookStep? {
        guard let f = args.mapping(allowed: ["name", "value", "max"], problems: problems) else { return nil }
        guard let nameCursor = f["name"], let valueCursor = f["value"] else {
            problems.add(args.error("needs 'name' and 'value'"))
            return nil
        }
        guard let name = problems.attempt({ () throws(ConfigError) in try nameCursor.string() }) else { return nil }
        guard PropertyChange.supported[name] != nil else {
            problems.add(nameCursor.error("Medic does not change '\(name)'; it changes \(PropertyChange.supported.keys.sorted().joined(separator: ", "))"))
            return nil
        }
        guard let text = problems.attempt({ () throws(ConfigError) in try valueCursor.string() }) else { return nil }
        guard let change = PropertyChange(text) else {
            problems.add(valueCursor.error("expected a value such as 512M, 2G, 50%, 200, infinity, or a relative change such as +25%"))
            return nil
        }
        if case .absolute(.percent) = change, name != "CPUQuota" {
            problems.add(valueCursor.error("a percentage is only supported for CPUQuota; give \(name) in bytes or as a count"))
            return nil
        }
        var limit: ResourceAmount?
        if let maxCursor = f["max"], let maxText = problems.attempt({ () throws(ConfigError) in try maxCursor.string() }) {
            limit = ResourceAmount(maxText)
            if limit == nil { problems.add(maxCursor.error("expected a limit such as 4G, 400%, 1000")) }
        }
        if case .relativePercent(let p) = change, p > 0, limit == nil {
            problems.add(valueCursor.error("a relative increase needs 'max', the most it may ever set"))
            return nil
        }
        return .setProperty(name: name, value: change, limit: limit)
    }
}
