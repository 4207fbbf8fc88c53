import MedicCore
import Yams

/// Reads medic.yaml into a `MedicConfiguration`, all or nothing: the first problem is an error that
/// names file, line, column and field, and no partial configuration is ever returned.
public enum ConfigParser {
    static let topLevel: Set = ["watch", "ignore", "health", "availability", "slo", "store", "corrections", "learning"]

    public static func parse(_ text: String, file: String) throws(ConfigError) -> MedicConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigError(file: file, line: 1, column: 1, field: "", message: "\(error)")
        }
        guard let root else { return MedicConfiguration() }
        let fields = try YAMLCursor(node: root, path: "", file: file).mapping(allowed: topLevel)

        var watch = MedicConfiguration.defaultWatch
        if let cursor = fields["watch"] {
            watch = try cursor.patterns()
            guard !watch.isEmpty else { throw cursor.error("must name at least one unit or pattern (an empty selector never means all)") }
        }
        let ignore = try fields["ignore"]?.patterns() ?? []
        let health = try fields["health"].map(parseHealth) ?? HealthPolicy()
        let availability = try fields["availability"].map(parseAvailability) ?? AvailabilityPolicy()
        let slo = try fields["slo"].map(parseSLO) ?? SLOPolicy()
        var retention: Double?
        if let store = fields["store"] {
            let storeFields = try store.mapping(allowed: ["retention"])
            retention = try storeFields["retention"]?.duration()
        }
        var protection = ProtectionPolicy()
        var limits = CorrectionLimits()
        if let corrections = fields["corrections"] {
            let c = try corrections.mapping(allowed: ["protect", "max-concurrent", "max-per-minute", "mass-failure-count", "mass-failure-percent", "mass-failure-settle"])
            if let p = c["protect"] { protection = ProtectionPolicy(extra: try p.patterns()) }
            if let v = c["max-concurrent"] { limits.maxConcurrent = try v.integer(atLeast: 1) }
            if let v = c["max-per-minute"] { limits.maxPerMinute = try v.integer(atLeast: 1) }
            if let v = c["mass-failure-count"] { limits.massFailureCount = try v.integer(atLeast: 2) }
            if let v = c["mass-failure-percent"] {
                let percent = try v.number()
                guard percent > 0 && percent <= 100 else { throw v.error("must be a percentage above 0 and at most 100") }
                limits.massFailureShare = percent / 100
            }
            if let v = c["mass-failure-settle"] { limits.massFailureSettle = try v.duration() }
        }
        var configuration = MedicConfiguration(watch: watch, ignore: ignore, health: health, availability: availability, slo: slo, retention: retention, protection: protection, limits: limits)
        if let learning = fields["learning"] { configuration.learning = try parseLearning(learning) }
        return configuration
    }

    private static func parseLearning(_ cursor: YAMLCursor) throws(ConfigError) -> LearningPolicy {
        var policy = LearningPolicy()
        let f = try cursor.mapping(allowed: ["enabled", "credibility-percent", "floor-percent", "min-attempts", "exploration"])
        if let v = f["enabled"] { policy.enabled = try v.bool() }
        if let v = f["credibility-percent"] {
            let percent = try v.number()
            guard percent >= 50 && percent < 100 else { throw v.error("must be a percentage from 50 to below 100") }
            policy.credibility = percent / 100
        }
        if let v = f["floor-percent"] {
            let percent = try v.number()
            guard percent >= 0 && percent < 100 else { throw v.error("must be a percentage from 0 to below 100") }
            policy.floor = percent / 100
        }
        if let v = f["min-attempts"] { policy.minimumAttempts = try v.integer(atLeast: 1) }
        if let v = f["exploration"] {
            let weight = try v.number()
            guard weight >= 0 && weight <= 10 else { throw v.error("must be a weight from 0 to 10") }
            policy.exploration = weight
        }
        return policy
    }

    private static func parseHealth(_ cursor: YAMLCursor) throws(ConfigError) -> HealthPolicy {
        let fields = try cursor.mapping(allowed: ["flap-restarts", "crash-loop-restarts", "flap-window", "stuck-after", "reload-too-long", "restart-grace"])
        var policy = HealthPolicy()
        if let c = fields["flap-restarts"] { policy.flapRestarts = try c.integer(atLeast: 1) }
        if let c = fields["crash-loop-restarts"] {
            policy.crashLoopRestarts = try c.integer(atLeast: 1)
            guard policy.crashLoopRestarts >= policy.flapRestarts else {
                throw c.error("must be at least flap-restarts (\(policy.flapRestarts))")
            }
        }
        if let c = fields["flap-window"] { policy.flapWindow = try c.duration() }
        if let c = fields["stuck-after"] { policy.stuckTransition = try c.duration() }
        if let c = fields["reload-too-long"] { policy.reloadTooLong = try c.duration() }
        if let c = fields["restart-grace"] { policy.restartGrace = try c.duration() }
        return policy
    }

    private static func parseAvailability(_ cursor: YAMLCursor) throws(ConfigError) -> AvailabilityPolicy {
        let fields = try cursor.mapping(allowed: ["degraded-is-bad", "activating-grace"])
        var policy = AvailabilityPolicy()
        if let c = fields["degraded-is-bad"] { policy.degradedIsBad = try c.bool() }
        if let c = fields["activating-grace"] {
            policy.activatingGrace = try c.string() == "never" ? nil : try c.duration()
        }
        return policy
    }

    private static func parseSLO(_ cursor: YAMLCursor) throws(ConfigError) -> SLOPolicy {
        let fields = try cursor.mapping(allowed: ["objective", "window", "burn-rate-alerts", "units"])
        let base = try parseSpec(fields, inheriting: .standard)
        var overrides: [SLOPolicy.Override] = []
        for entry in try fields["units"]?.sequence() ?? [] {
            let entryFields = try entry.mapping(allowed: ["match", "objective", "window", "burn-rate-alerts"])
            guard let match = entryFields["match"] else { throw entry.error("needs a 'match' pattern") }
            let spec = try parseSpec(entryFields, inheriting: base)
            for pattern in try match.patterns() { overrides.append(.init(pattern: pattern, spec: spec)) }
        }
        return SLOPolicy(defaultSpec: base, overrides: overrides)
    }

    private static func parseSpec(_ fields: [String: YAMLCursor], inheriting base: SLOSpec) throws(ConfigError) -> SLOSpec {
        var spec = base
        if let c = fields["objective"] {
            let percent = try c.number()
            guard percent > 0 && percent < 100 else { throw c.error("must be a percentage between 0 and 100, exclusive (e.g. 99.9), got \(percent)") }
            spec.objective = percent / 100
        }
        if let c = fields["window"] { spec.window = try c.duration() }
        if let c = fields["burn-rate-alerts"] {
            spec.rules = try c.sequence().map { rule throws(ConfigError) in try parseRule(rule) }
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
