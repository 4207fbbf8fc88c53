import MedicCore
import Yams

/// Reads playbook files, reporting every problem with its file, line, column and field.
public enum PlaybookParser {
    /// The most steps a playbook may have.
    public static let maximumSteps = 32

    static let fields: Set = ["name", "description", "priority", "pin", "mode", "match", "trigger", "steps", "verify", "rollback", "guard"]

    /// One playbook file's outcome: the playbook when it is valid, and every problem found.
    public struct Outcome: Sendable {
        public var playbook: Playbook?
        public var problems: [ConfigError]
        /// Where the name is written, for problems about the playbook as a whole (duplicates).
        public var nameLine = 1, nameColumn = 1
    }

    public static func parse(_ text: String, file: String) -> Outcome {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return Outcome(playbook: nil, problems: [ConfigParser.syntaxError(error, file: file)])
        } catch {
            return Outcome(playbook: nil, problems: [ConfigError(file: file, line: 1, column: 1, field: "", message: "\(error)")])
        }
        guard let root else {
            return Outcome(playbook: nil, problems: [ConfigError(file: file, line: 1, column: 1, field: "", message: "empty playbook: it needs at least a name and steps")])
        }
        let problems = ProblemCollector()
        let top = YAMLCursor(node: root, path: "", file: file)
        guard let f = top.mapping(allowed: fields, problems: problems) else {
            return Outcome(playbook: nil, problems: problems.problems)
        }

        let name = f["name"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.identifier() } }
        if f["name"] == nil { problems.add(top.error("needs a 'name'")) }
        let description = f["description"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.string() } } ?? ""
        let priority = f["priority"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.integer(in: -1000...1000) } } ?? 0
        let pinned = f["pin"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.bool() } } ?? false
        let mode = f["mode"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.choice(Playbook.Mode.self) } } ?? .active
        let trigger = f["trigger"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.choice(Playbook.Trigger.self) } } ?? .fastBurn
        let rollback = f["rollback"].flatMap { c in problems.attempt { () throws(ConfigError) in try c.choice(Playbook.Rollback.self) } } ?? .automatic
        let match = f["match"].map { parseMatch($0, problems) } ?? PlaybookMatch()
        let verify = f["verify"].map { parseVerify($0, problems) } ?? Verification()
        let guardrails = f["guard"].map { parseGuard($0, problems) } ?? PlaybookGuard()
        var steps: [PlaybookStep] = []
        if let stepsCursor = f["steps"] {
            steps = parseSteps(stepsCursor, rollback: rollback, problems)
        } else {
            problems.add(top.error("needs 'steps'"))
        }

        // Fields that contradict each other.
        if trigger == .failure, !match.health.isEmpty, !match.health.contains(.failed), let c = f["match"] {
            problems.add(c.error("conflicts with trigger 'failure': match.health excludes failed"))
        }
        if !match.exitStatuses.isEmpty, !match.signals.isEmpty, let c = f["match"] {
            problems.add(c.error("exit-statuses and signals together can never match: a process either exits or is killed"))
        }
        if verify.healthyFor > verify.within, let c = f["verify"] {
            problems.add(c.error("healthy-for (\(FailureDescription.window(verify.healthyFor))) cannot exceed within (\(FailureDescription.window(verify.within)))"))
        }
        if guardrails.onExhausted == .escalate, !steps.contains(where: { if case .notify = $0 { return true } else { return false } }),
           let c = f["guard"] ?? f["steps"] {
            problems.add(c.error("on-exhausted 'escalate' needs a notify step to escalate with"))
        }

        let mark = f["name"]?.node.mark
        guard problems.problems.isEmpty, let name else { return Outcome(playbook: nil, problems: problems.problems) }
        let playbook = Playbook(
            name: name, description: description, priority: priority, pinned: pinned, mode: mode, match: match, trigger: trigger,
            steps: steps, verify: verify, rollback: rollback, guardrails: guardrails, source: file
        )
        return Outcome(playbook: playbook, problems: [], nameLine: mark?.line ?? 1, nameColumn: mark?.column ?? 1)
    }

    private static func parseMatch(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> PlaybookMatch {
        var match = PlaybookMatch()
        guard let f = cursor.mapping(allowed: ["units", "health", "results", "causes", "exit-statuses", "signals", "journal", "probes"], problems: problems) else { return match }
        if let c = f["units"] {
            for item in c.list() {
                if let pattern = problems.attempt({ () throws(ConfigError) in try item.reachablePattern() }) { match.units.append(pattern) }
            }
        }
        if let c = f["health"] {
            for item in c.list() {
                if let h = problems.attempt({ () throws(ConfigError) in try item.choice(Health.self) }) { match.health.append(h) }
            }
        }
        if let c = f["results"] {
            for item in c.list() {
                guard let text = problems.attempt({ () throws(ConfigError) in try item.string() }) else { continue }
                if PlaybookMatch.knownResults.contains(text) { match.results.append(text) } else {
                    problems.add(item.error("unknown systemd Result '\(text)'; expected one of \(PlaybookMatch.knownResults.sorted().joined(separator: ", "))"))
                }
            }
        }
        if let c = f["causes"] {
            for item in c.list() {
                if let cause = problems.attempt({ () throws(ConfigError) in try item.choice(FailureCause.self) }) { match.causes.append(cause) }
            }
        }
        if let c = f["exit-statuses"] {
            for item in c.list() {
                if let status = problems.attempt({ () throws(ConfigError) in try item.integer(in: 0...255) }) { match.exitStatuses.append(Int32(status)) }
            }
        }
        if let c = f["signals"] {
            for item in c.list() {
                if let signal = problems.attempt({ () throws(ConfigError) in try item.signal() }) { match.signals.append(signal) }
            }
        }
        if let c = f["probes"] {
            for item in c.list() {
                if let name = problems.attempt({ () throws(ConfigError) in try item.identifier() }) { match.probes.append(name) }
            }
        }
        if let c = f["journal"], let text = problems.attempt({ () throws(ConfigError) in try c.string() }) {
            if (try? Regex(text)) == nil { problems.add(c.error("not a valid regular expression")) } else { match.journal = text }
        }
        return match
    }

    private static func parseVerify(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> Verification {
        var verify = Verification()
        guard let f = cursor.mapping(allowed: ["healthy-for", "within", "burn-rate-below"], problems: problems) else { return verify }
        if let c = f["healthy-for"], let v = problems.attempt({ () throws(ConfigError) in try c.duration() }) { verify.healthyFor = v }
        if let c = f["within"], let v = problems.attempt({ () throws(ConfigError) in try c.duration() }) { verify.within = v }
        if let c = f["burn-rate-below"], let v = problems.attempt({ () throws(ConfigError) in try c.number() }) {
            if v > 0 { verify.burnRateBelow = v } else { problems.add(c.error("must be greater than 0")) }
        }
        return verify
    }

    private static func parseGuard(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> PlaybookGuard {
        var g = PlaybookGuard()
        guard let f = cursor.mapping(allowed: ["cooldown", "max-attempts", "window", "backoff", "on-exhausted"], problems: problems) else { return g }
        if let c = f["cooldown"], let v = problems.attempt({ () throws(ConfigError) in try c.duration() }) { g.cooldown = v }
        if let c = f["max-attempts"], let v = problems.attempt({ () throws(ConfigError) in try c.integer(in: 1...100) }) { g.maxAttempts = v }
        if let c = f["window"], let v = problems.attempt({ () throws(ConfigError) in try c.duration() }) { g.window = v }
        if let c = f["on-exhausted"], let v = problems.attempt({ () throws(ConfigError) in try c.choice(PlaybookGuard.Exhaustion.self) }) { g.onExhausted = v }
        if let c = f["backoff"], let b = c.mapping(allowed: ["initial", "max", "reset-after"], problems: problems) {
            if let i = b["initial"], let v = problems.attempt({ () throws(ConfigError) in try i.duration() }) { g.backoffInitial = v }
            if let m = b["max"], let v = problems.attempt({ () throws(ConfigError) in try m.duration() }) {
                if v < g.backoffInitial { problems.add(m.error("must be at least the initial backoff")) } else { g.backoffMax = v }
            }
            if let r = b["reset-after"], let v = problems.attempt({ () throws(ConfigError) in try r.duration() }) { g.resetAfter = v }
        }
        return g
    }

    private static func parseSteps(_ cursor: YAMLCursor, rollback: Playbook.Rollback, _ problems: ProblemCollector) -> [PlaybookStep] {
        guard let items = problems.attempt({ () throws(ConfigError) in try cursor.sequence() }) else { return [] }
        if items.isEmpty { problems.add(cursor.error("needs at least one step")) }
        if items.count > maximumSteps { problems.add(cursor.error("has \(items.count) steps; at most \(maximumSteps) are allowed")) }
        return items.prefix(maximumSteps).compactMap { item in
            guard let step = PlaybookStepParser.parse(item, problems) else { return nil }
            if rollback == .automatic, !step.isUndoable {
                problems.add(item.error("'run' needs an 'undo' command when rollback is automatic (or set rollback: none)"))
            }
            return step
        }
    }
}
