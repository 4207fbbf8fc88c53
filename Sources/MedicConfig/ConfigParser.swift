import MedicCore
import Yams

/// Reads medic.yaml into a `MedicConfiguration`, all or nothing: every problem is found and named with
/// file, line, column and field (`medic config check` lists them all), and no partial configuration
/// is ever returned.
public enum ConfigParser {
    static let topLevel: Set = ["watch", "ignore", "health", "availability", "slo", "store", "corrections", "learning", "http", "metrics", "alerts", "probes"]

    /// One file's outcome: the configuration when it is valid, and every problem found.
    public struct Outcome: Sendable {
        public var configuration: MedicConfiguration?
        public var problems: [ConfigError]
    }

    /// The configuration, or the first problem (in the order of the file).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> MedicConfiguration {
        let outcome = check(text, file: file)
        if let first = outcome.problems.first { throw first }
        return outcome.configuration ?? MedicConfiguration()
    }

    /// Reads the whole file, collecting every problem rather than stopping at the first.
    public static func check(_ text: String, file: String) -> Outcome {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return Outcome(configuration: nil, problems: [syntaxError(error, file: file)])
        } catch {
            return Outcome(configuration: nil, problems: [ConfigError(file: file, line: 1, column: 1, field: "", message: "\(error)")])
        }
        guard let root else { return Outcome(configuration: MedicConfiguration(), problems: []) }
        let problems = ProblemCollector()
        guard let fields = YAMLCursor(node: root, path: "", file: file).mapping(allowed: topLevel, problems: problems) else {
            return Outcome(configuration: nil, problems: problems.problems)
        }

        var watch = MedicConfiguration.defaultWatch
        if let cursor = fields["watch"], let patterns = problems.patterns(cursor) {
            if patterns.isEmpty {
                problems.add(cursor.error("must name at least one unit or pattern (an empty selector never means all)"))
            } else {
                watch = patterns
            }
        }
        let ignore = fields["ignore"].flatMap { problems.patterns($0) } ?? []
        let health = fields["health"].map { parseHealth($0, problems) } ?? HealthPolicy()
        let availability = fields["availability"].map { parseAvailability($0, problems) } ?? AvailabilityPolicy()
        let slo = fields["slo"].map { parseSLO($0, problems) } ?? SLOPolicy()
        var retention: Double?
        if let store = fields["store"], let storeFields = store.mapping(allowed: ["retention"], problems: problems) {
            retention = problems.read(storeFields["retention"]) { c throws(ConfigError) in try c.duration() }
        }
        let (protection, limits) = fields["corrections"].map { parseCorrections($0, problems) } ?? (ProtectionPolicy(), CorrectionLimits())
        var configuration = MedicConfiguration(watch: watch, ignore: ignore, health: health, availability: availability, slo: slo,
                                               retention: retention, protection: protection, limits: limits)
        if let learning = fields["learning"] { configuration.learning = parseLearning(learning, problems) }
        configuration.export = parseExport(fields, problems)
        if let probes = fields["probes"] { configuration.probes = parseProbes(probes, problems) }
        let found = problems.problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        return Outcome(configuration: found.isEmpty ? configuration : nil, problems: found)
    }

    private static func parseCorrections(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> (ProtectionPolicy, CorrectionLimits) {
        let allowed: Set = ["protect", "max-concurrent", "max-per-minute", "mass-failure-count", "mass-failure-percent", "mass-failure-settle"]
        guard let c = cursor.mapping(allowed: allowed, problems: problems) else { return (ProtectionPolicy(), CorrectionLimits()) }
        var protection = ProtectionPolicy()
        if let p = c["protect"], let extra = problems.patterns(p) { protection = ProtectionPolicy(extra: extra) }
        var limits = CorrectionLimits()
        if let v = problems.read(c["max-concurrent"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { limits.maxConcurrent = v }
        if let v = problems.read(c["max-per-minute"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { limits.maxPerMinute = v }
        if let v = problems.read(c["mass-failure-count"], { c throws(ConfigError) in try c.integer(atLeast: 2) }) { limits.massFailureCount = v }
        if let v = problems.read(c["mass-failure-percent"], { c throws(ConfigError) in
            let percent = try c.number()
            guard percent > 0 && percent <= 100 else { throw c.error("must be a percentage above 0 and at most 100") }
            return percent / 100
        }) { limits.massFailureShare = v }
        if let v = problems.read(c["mass-failure-settle"], { c throws(ConfigError) in try c.duration() }) { limits.massFailureSettle = v }
        return (protection, limits)
    }

    private static func parseLearning(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> LearningPolicy {
        var policy = LearningPolicy()
        guard let f = cursor.mapping(allowed: ["enabled", "credibility-percent", "floor-percent", "min-attempts", "exploration"], problems: problems) else { return policy }
        if let v = problems.read(f["enabled"], { c throws(ConfigError) in try c.bool() }) { policy.enabled = v }
        if let v = problems.read(f["credibility-percent"], { c throws(ConfigError) in
            let percent = try c.number()
            guard percent >= 50 && percent < 100 else { throw c.error("must be a percentage from 50 to below 100") }
            return percent / 100
        }) { policy.credibility = v }
        if let v = problems.read(f["floor-percent"], { c throws(ConfigError) in
            let percent = try c.number()
            guard percent >= 0 && percent < 100 else { throw c.error("must be a percentage from 0 to below 100") }
            return percent / 100
        }) { policy.floor = v }
        if let v = problems.read(f["min-attempts"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { policy.minimumAttempts = v }
        if let v = problems.read(f["exploration"], { c throws(ConfigError) in
            let weight = try c.number()
            guard weight >= 0 && weight <= 10 else { throw c.error("must be a weight from 0 to 10") }
            return weight
        }) { policy.exploration = v }
        return policy
    }

    private static func parseHealth(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> HealthPolicy {
        var policy = HealthPolicy()
        let allowed: Set = ["flap-restarts", "crash-loop-restarts", "flap-window", "stuck-after", "reload-too-long", "restart-grace"]
        guard let fields = cursor.mapping(allowed: allowed, problems: problems) else { return policy }
        if let v = problems.read(fields["flap-restarts"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { policy.flapRestarts = v }
        if let v = problems.read(fields["crash-loop-restarts"], { [policy] c throws(ConfigError) in
            let value = try c.integer(atLeast: 1)
            guard value >= policy.flapRestarts else { throw c.error("must be at least flap-restarts (\(policy.flapRestarts))") }
            return value
        }) { policy.crashLoopRestarts = v }
        if let v = problems.read(fields["flap-window"], { c throws(ConfigError) in try c.duration() }) { policy.flapWindow = v }
        if let v = problems.read(fields["stuck-after"], { c throws(ConfigError) in try c.duration() }) { policy.stuckTransition = v }
        if let v = problems.read(fields["reload-too-long"], { c throws(ConfigError) in try c.duration() }) { policy.reloadTooLong = v }
        if let v = problems.read(fields["restart-grace"], { c throws(ConfigError) in try c.duration() }) { policy.restartGrace = v }
        return policy
    }

    private static func parseAvailability(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> AvailabilityPolicy {
        var policy = AvailabilityPolicy()
        guard let fields = cursor.mapping(allowed: ["degraded-is-bad", "activating-grace", "probe-failing-is-bad"], problems: problems) else { return policy }
        if let v = problems.read(fields["degraded-is-bad"], { c throws(ConfigError) in try c.bool() }) { policy.degradedIsBad = v }
        if let v = problems.read(fields["probe-failing-is-bad"], { c throws(ConfigError) in try c.bool() }) { policy.probeFailingIsBad = v }
        if let c = fields["activating-grace"] {
            if (try? c.string()) == "never" {
                policy.activatingGrace = nil
            } else if let v = problems.read(c, { c throws(ConfigError) in try c.duration() }) {
                policy.activatingGrace = v
            }
        }
        return policy
    }

    private static func parseSLO(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> SLOPolicy {
        guard let fields = cursor.mapping(allowed: ["objective", "window", "burn-rate-alerts", "units"], problems: problems) else { return SLOPolicy() }
        let base = parseSpec(fields, inheriting: .standard, problems)
        var overrides: [SLOPolicy.Override] = []
        for entry in problems.read(fields["units"], { c throws(ConfigError) in try c.sequence() }) ?? [] {
            guard let entryFields = entry.mapping(allowed: ["match", "objective", "window", "burn-rate-alerts"], problems: problems) else { continue }
            let spec = parseSpec(entryFields, inheriting: base, problems)
            guard let match = entryFields["match"] else {
                problems.add(entry.error("needs a 'match' pattern"))
                continue
            }
            for pattern in problems.patterns(match) ?? [] { overrides.append(.init(pattern: pattern, spec: spec)) }
        }
        return SLOPolicy(defaultSpec: base, overrides: overrides)
    }

    private static func parseSpec(_ fields: [String: YAMLCursor], inheriting base: SLOSpec, _ problems: ProblemCollector) -> SLOSpec {
        var spec = base
        if let v = problems.read(fields["objective"], { c throws(ConfigError) in
            let percent = try c.number()
            guard percent > 0 && percent < 100 else { throw c.error("must be a percentage between 0 and 100, exclusive (e.g. 99.9), got \(percent)") }
            return percent / 100
        }) { spec.objective = v }
        if let v = problems.read(fields["window"], { c throws(ConfigError) in try c.duration() }) { spec.window = v }
        if let rules = problems.read(fields["burn-rate-alerts"], { c throws(ConfigError) in try c.sequence() }) {
            spec.rules = rules.compactMap { rule in problems.read(rule) { c throws(ConfigError) in try parseRule(c) } }
        }
        return spec
    }

    private static func parseRule(_ cursor: YAMLCursor) throws(ConfigError) -> BurnRateRule {
        let fields = try cursor.mapping(allowed: ["severity", "long", "short", "threshold"])
        func required(_ key: String) throws(ConfigError) -> YAMLCursor {
            guard let c = fields[key] else { throw cursor.error("needs '\(key)'") }
            return c
        }
        let severityCursor = try required("severity")
        guard let severity = BurnRateRule.Severity(rawValue: try severityCursor.string()) else {
            throw severityCursor.error("expected page or ticket")
        }
        let long = try required("long").duration()
        let shortCursor = try required("short")
        let short = try shortCursor.duration()
        guard short < long else { throw shortCursor.error("the short window must be shorter than the long one") }
        let thresholdCursor = try required("threshold")
        let threshold = try thresholdCursor.number()
        guard threshold > 0 else { throw thresholdCursor.error("must be greater than 0") }
        return BurnRateRule(severity: severity, longWindow: long, shortWindow: short, threshold: threshold)
    }

    static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let message = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigError(file: file, line: mark.line, column: mark.column, field: "", message: "invalid YAML: \(message)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(file: file, line: context.mark.line, column: context.mark.column, field: "",
                               message: "a key appears twice in this mapping: \(duplicates.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return ConfigError(file: file, line: 1, column: 1, field: "", message: "invalid YAML: \(problem)")
        default:
            // One line, whatever the library's message looks like.
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
            return ConfigError(file: file, line: 1, column: 1, field: "", message: "invalid YAML: \(first)")
        }
    }
}
