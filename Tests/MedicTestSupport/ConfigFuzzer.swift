import Foundation

/// Seeded, reproducible hostile inputs for medic.yaml and playbooks: the shipped files and a full
/// configuration, mutated (bytes flipped, truncated, binary spliced in, lines repeated), deeply
/// nested, alias bombs, huge scalars and very long lines. The same seed gives the same cases.
public struct ConfigFuzzer {
    /// One generated case.
    public struct Case: Sendable {
        public var index: Int
        public var kind: String
        public var bytes: [UInt8]
    }

    public static let fullConfiguration = """
        watch: ["web-*.service", "db.service"]
        ignore: web-test.service
        health: {flap-restarts: 3, crash-loop-restarts: 5, flap-window: 10m, stuck-after: 90s, reload-too-long: 30s, restart-grace: 5s}
        availability: {degraded-is-bad: true, activating-grace: 30s}
        slo:
          objective: 99.9
          window: 30d
          burn-rate-alerts:
            - {severity: page, long: 1h, short: 5m, threshold: 14.4}
          units:
            - match: "db.service"
              objective: 99.99
        store: {retention: 40d}
        corrections: {protect: ["ssh.service"], max-concurrent: 2, max-per-minute: 5, mass-failure-count: 3, mass-failure-percent: 40, mass-failure-settle: 2s}
        learning: {enabled: true, credibility-percent: 90, floor-percent: 20, min-attempts: 3, exploration: 1}
        probes:
          - {unit: "web-*.service", http: {url: "http://127.0.0.1:8080/healthz", expect-status: [200-299, 301], body-contains: ok, headers: {X-A: b}}, interval: 10s, timeout: 2s, failure-threshold: 3}
          - {unit: db.service, tcp: "127.0.0.1:5432", probe-failure-is: failed, start-grace: 30s}
          - {unit: [db.service], exec: {argv: [/bin/true, -q], user: nobody}, success-threshold: 2}
          - {unit: db.service, unix: /run/db.sock}
        """

    public static let fullPlaybook = """
        name: everything
        description: every field
        priority: 10
        pin: false
        mode: active
        trigger: failure
        match: {units: ["web-*.service"], health: [failed], results: [exit-code, signal], exit-statuses: [1, 3], journal: "out of (memory|space)"}
        steps:
          - reset-failed
          - set-property: {name: MemoryMax, value: +25%, limit: 2G}
          - run: {argv: [/usr/bin/true], undo: [/usr/bin/true], timeout: 10s}
          - kill: {signal: SIGTERM, whom: main}
          - wait: 2s
          - restart
          - notify: {webhook: "http://127.0.0.1:9/hook"}
        verify: {healthy-for: 30s, within: 2m, burn-rate-below: 1}
        rollback: automatic
        guard: {cooldown: 1m, max-attempts: 3, window: 1h, backoff: {initial: 10s, max: 5m, reset-after: 10m}, on-exhausted: escalate}
        """

    private var generator: SeededGenerator
    private let seeds: [[UInt8]]
    private var index = 0

    /// `extraSeeds` are further files to mutate (the shipped playbooks).
    public init(seed: UInt64, extraSeeds: [String] = []) {
        generator = SeededGenerator(state: seed)
        seeds = ([Self.fullConfiguration, Self.fullPlaybook] + extraSeeds).map { Array($0.utf8) }
    }

    /// The shipped playbooks of a source tree, as extra seeds.
    public static func shippedPlaybooks(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { try? String(contentsOfFile: "\(directory)/\($0)", encoding: .utf8) }
    }

    public mutating func next() -> Case {
        defer { index += 1 }
        let seed = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
        let kinds = ["as-is", "truncated", "flipped", "binary", "repeated", "spliced", "tokens", "flow-nesting", "block-nesting", "aliases", "scalars", "long-line", "unicode"]
        let kind = index < kinds.count ? kinds[index] : kinds[Int.random(in: 0..<kinds.count, using: &generator)]
        return Case(index: index, kind: kind, bytes: make(kind, from: seed))
    }

    private mutating func random(_ range: Range<Int>) -> Int { Int.random(in: range, using: &generator) }

    private mutating func make(_ kind: String, from seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        switch kind {
        case "truncated":
            bytes = Array(bytes.prefix(random(0..<bytes.count)))
        case "flipped":
            for _ in 0..<random(1..<24) { bytes[random(0..<bytes.count)] = UInt8(random(0..<256)) }
        case "binary":
            let chunk = (0..<random(1..<512)).map { _ in UInt8(random(0..<256)) }
            bytes.insert(contentsOf: chunk, at: random(0..<bytes.count + 1))
        case "repeated":
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            let line = lines[random(0..<lines.count)]
            lines.insert(contentsOf: Array(repeating: line, count: random(2..<500)), at: random(0..<lines.count))
            bytes = Array(lines.joined(separator: [0x0A]))
        case "spliced":
            let other = seeds[random(0..<seeds.count)]
            bytes = Array(bytes.prefix(random(0..<bytes.count))) + Array(other.suffix(random(0..<other.count)))
        case "tokens":
            let tokens = ["&a ", "*a", "!!binary ", "!!str ", "%YAML 1.2\n", "---\n", "...\n", "? ", ": ", "- ", "\t", "[", "]", "{", "}", "|\n", ">-\n", "'", "\"", "#", "<<: *a\n", "!custom ", "\u{FEFF}"]
            for _ in 0..<random(1..<20) { bytes.insert(contentsOf: Array(tokens[random(0..<tokens.count)].utf8), at: random(0..<bytes.count + 1)) }
        case "flow-nesting":
            let depth = [10, 100, 1000, 10_000, 200_000][random(0..<5)]
            let open = random(0..<2) == 0 ? "[" : "{a: "
            let close = open == "[" ? "]" : "}"
            let text = "watch: " + String(repeating: open, count: depth) + "x" + (random(0..<2) == 0 ? String(repeating: close, count: depth) : "") + "\n"
            bytes = Array(text.utf8)
        case "block-nesting":
            // Deeper than libyaml's nesting limit (1,000) at the end of the range.
            let depth = [10, 100, 1000, 1500][random(0..<4)]
            bytes = []
            for level in 0..<depth { bytes += Array(repeating: 0x20, count: level) + Array("k\(level):\n".utf8) }
        case "aliases":
            // A "billion laughs": each level refers nine times to the one before.
            var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            for level in 1..<random(3..<12) {
                text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
            }
            text += ["watch: *a\(random(1..<3))\n", "steps: *a2\nname: x\n", "? *a2\n: x\n", "health: *a1\n"][random(0..<4)]
            bytes = Array(text.utf8)
        case "scalars":
            let values = ["1e309", "-0", "99999999999999999999999", "-9223372036854775809", "nan", ".inf", "0x7fffffff", "99999999999999d", "1h1h1h", "0.0000000001s", "", "~", "null", String(repeating: "9", count: 5000)]
            let fields = ["slo: {objective: %}", "slo: {window: %}", "health: {flap-restarts: %}", "corrections: {max-concurrent: %}", "store: {retention: %}",
                          "name: x\nsteps: [{wait: %}]", "name: x\npriority: %\nsteps: [restart]", "name: x\nsteps: [{set-property: {name: MemoryMax, value: %}}]",
                          "name: x\nsteps: [restart]\nguard: {max-attempts: %}", "name: x\nmatch: {exit-statuses: [%]}\nsteps: [restart]"]
            bytes = Array(fields[random(0..<fields.count)].replacingOccurrences(of: "%", with: values[random(0..<values.count)]).utf8)
        case "long-line":
            bytes = Array("watch: \"".utf8) + [UInt8](repeating: 0x61, count: [1_000, 20_000, 200_000, 900_000][random(0..<4)]) + Array("\"\n".utf8)
        case "unicode":
            let pieces = ["\u{202E}", "\u{0301}", "é", "\u{1F4A5}", "\u{0}", "\u{1B}[2J", "\u{9B}", "\u{FFFF}"]
            for _ in 0..<random(1..<10) { bytes.insert(contentsOf: Array(pieces[random(0..<pieces.count)].utf8), at: random(0..<bytes.count + 1)) }
            // Overlong and lone continuation bytes: never valid UTF-8.
            if random(0..<2) == 0 { bytes.insert(contentsOf: [0xC0, 0xAF, 0x80], at: random(0..<bytes.count + 1)) }
        default:
            break
        }
        return bytes
    }
}
