import Foundation
import MedicConfig
import MedicCore
import MedicTestSupport
import Testing

@Suite("Playbook files")
struct PlaybookParserTests {
    func problems(_ text: String) -> [String] {
        PlaybookParser.parse(text, file: "p.yaml").problems.map(\.description)
    }

    @Test("match.causes names why a unit fails; an unknown cause is reported with the known ones")
    func causes() throws {
        let outcome = PlaybookParser.parse("name: calm\nmatch:\n  causes: [flapping, crash-loop]\nsteps: [restart]\n", file: "p.yaml")
        #expect(outcome.problems.isEmpty)
        #expect(try #require(outcome.playbook).match.causes == [.flapping, .crashLoop])
        let known = FailureCause.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(problems("name: calm\nmatch:\n  causes: [flapping, flapy]\nsteps: [restart]\n")
                == ["p.yaml:3:22: match.causes[1]: expected one of \(known), got 'flapy'"])
    }

    @Test("match.probes names the probes a playbook is for")
    func probes() throws {
        let outcome = PlaybookParser.parse("name: db\nmatch:\n  causes: probe\n  probes: [db-port, db.query]\nsteps: [restart]\n", file: "p.yaml")
        #expect(outcome.problems.isEmpty)
        #expect(try #require(outcome.playbook).match.probes == ["db-port", "db.query"])
        #expect(problems("name: db\nmatch:\n  probes: ['db port']\nsteps: [restart]\n")
                == ["p.yaml:3:12: match.probes[0]: expected a name of letters, digits, '-', '_' and '.', at most 100 characters"])
    }

    @Test("a complete playbook is read field by field")
    func complete() throws {
        let outcome = PlaybookParser.parse("""
            name: oom
            description: Raise memory.
            priority: 70
            mode: dry-run
            trigger: failure
            match:
              units: ["web-*.service", db.service]
              health: failed
              results: [oom-kill]
              signals: [KILL, SIGSEGV, 6]
              journal: "out of memory"
            steps:
              - set-property: {name: MemoryMax, value: "+25%", max: 4G}
              - restart
              - kill: {signal: HUP, whom: all}
              - wait: 5s
              - run: {argv: [/usr/bin/true, x], undo: [/usr/bin/false], timeout: 10s, user: nobody}
              - notify: {webhook: "https://example.invalid/hook"}
            verify: {healthy-for: 1m, within: 5m, burn-rate-below: 2}
            rollback: automatic
            guard:
              cooldown: 2m
              max-attempts: 4
              window: 6h
              backoff: {initial: 20s, max: 10m, reset-after: 1h}
              on-exhausted: escalate
            """, file: "p.yaml")
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        let playbook = try #require(outcome.playbook)
        #expect(playbook.name == "oom")
        #expect(playbook.priority == 70)
        #expect(playbook.mode == .dryRun)
        #expect(playbook.trigger == .failure)
        #expect(playbook.match.units.map(\.text) == ["web-*.service", "db.service"])
        #expect(playbook.match.health == [.failed])
        #expect(playbook.match.results == ["oom-kill"])
        #expect(playbook.match.signals == [9, 11, 6])
        #expect(playbook.steps == [
            .setProperty(name: "MemoryMax", value: .relativePercent(25), limit: .bytes(4 << 30)),
            .restart,
            .kill(signal: 1, whom: .all),
            .wait(5),
            .run(argv: ["/usr/bin/true", "x"], undo: ["/usr/bin/false"], timeout: 10, user: "nobody"),
            .notify(.webhook("https://example.invalid/hook")),
        ])
        #expect(playbook.verify == Verification(healthyFor: 60, within: 300, burnRateBelow: 2))
        #expect(playbook.guardrails == PlaybookGuard(cooldown: 120, maxAttempts: 4, window: 21_600, backoffInitial: 20, backoffMax: 600, resetAfter: 3600, onExhausted: .escalate))
    }

    @Test("defaults: fast-burn trigger, active, automatic rollback")
    func defaults() throws {
        let playbook = try #require(PlaybookParser.parse("name: r\nsteps: [restart]\n", file: "p.yaml").playbook)
        #expect(playbook.trigger == .fastBurn)
        #expect(playbook.mode == .active)
        #expect(playbook.rollback == .automatic)
        #expect(playbook.guardrails == PlaybookGuard())
        #expect(playbook.verify == Verification())
    }

    @Test("every problem of a file is listed, each with line, column and field")
    func everyProblem() {
        let found = problems("""
            name: bad one
            colour: blue
            match:
              units: ["web.servce", "ok.service"]
              results: [exploded]
              exit-statuses: [1]
              signals: [KILL]
            steps:
              - reboot
              - wait: soon
              - run: {argv: [/usr/bin/fix]}
              - set-property: {name: MemoryMax, value: "+50%"}
              - set-property: {name: Nice, value: "5"}
              - restart: now
            verify: {healthy-for: 10m, within: 1m}
            guard: {on-exhausted: escalate}
            """)
        #expect(found == [
            "p.yaml:2:1: colour: unknown field; expected one of description, guard, match, mode, name, pin, priority, rollback, steps, trigger, verify",
            "p.yaml:1:7: name: expected a name of letters, digits, '-', '_' and '.', at most 100 characters",
            "p.yaml:4:11: match.units[0]: 'web.servce' can match nothing: '.servce' is not a unit type (service, socket, target, device, mount, automount, swap, timer, path, slice, scope)",
            "p.yaml:5:13: match.results[0]: unknown systemd Result 'exploded'; expected one of core-dump, exec-condition, exit-code, failed-precondition, mount-start-limit-hit, oom-kill, protocol, resources, service-start-limit-hit, signal, start-limit-hit, success, timeout, trigger-limit-hit, unit-start-limit-hit, watchdog",
            "p.yaml:9:5: steps[0]: unknown action 'reboot'; expected one of restart, start, stop, reload, reset-failed, kill, set-property, run, wait, notify",
            "p.yaml:10:11: steps[1].wait: expected a duration such as 30s, 5m, 1h or 30d, got 'soon'",
            "p.yaml:11:5: steps[2]: 'run' needs an 'undo' command when rollback is automatic (or set rollback: none)",
            "p.yaml:12:44: steps[3].set-property.value: a relative increase needs 'max', the most it may ever set",
            "p.yaml:13:26: steps[4].set-property.name: Medic does not change 'Nice'; it changes CPUQuota, CPUWeight, IOWeight, MemoryHigh, MemoryMax, MemorySwapMax, TasksMax",
            "p.yaml:14:5: steps[5]: 'restart' takes no arguments",
            "p.yaml:4:3: match: exit-statuses and signals together can never match: a process either exits or is killed",
            "p.yaml:15:9: verify: healthy-for (10m) cannot exceed within (1m)",
            "p.yaml:16:8: guard: on-exhausted 'escalate' needs a notify step to escalate with",
        ])
    }

    @Test("missing essentials and wrong shapes", arguments: [
        ("", "p.yaml:1:1: empty playbook: it needs at least a name and steps"),
        ("description: x\nsteps: [start]\n", "p.yaml:1:1: needs a 'name'"),
        ("name: x\n", "p.yaml:1:1: needs 'steps'"),
        ("name: x\nsteps: []\n", "p.yaml:2:8: steps: needs at least one step"),
        ("name: x\nsteps: restart\n", "p.yaml:2:8: steps: expected a list"),
        ("[1, 2]\n", "p.yaml:1:1: expected a mapping of description, guard, match, mode, name, pin, priority, rollback, steps, trigger, verify"),
        ("name: x\nsteps: [{restart: 1, stop: 2}]\n", "p.yaml:2:9: steps[0]: a step is an action name or a mapping with a single action"),
        ("name: x\nsteps: [{run: {argv: \"rm -rf /\"}}]\n", "p.yaml:2:22: steps[0].run.argv: expected a list such as [/usr/bin/logger, restarted]: commands never go through a shell"),
        ("name: x\nsteps: [{run: {argv: [rm], undo: [/bin/true]}}]\n", "p.yaml:2:22: steps[0].run.argv: the program must be an absolute path, got 'rm'"),
        ("name: x\ntrigger: failure\nmatch: {health: idle}\nsteps: [start]\n", "p.yaml:3:8: match: conflicts with trigger 'failure': match.health excludes failed"),
        ("name: x\npriority: 99999999999999999999\nsteps: [start]\n", "p.yaml:2:11: priority: expected a whole number from -1000 to 1000, got '99999999999999999999'"),
        ("name: x\nsteps: [{wait: 99999999999d}]\n", "p.yaml:2:16: steps[0].wait: expected a duration such as 30s, 5m, 1h or 30d, got '99999999999d'"),
        ("name: x\nmatch: {journal: \"(unclosed\"}\nsteps: [start]\n", "p.yaml:2:18: match.journal: not a valid regular expression"),
        ("name: x\nsteps: [start]\nsteps: [stop]\n", "p.yaml:2:1: a key appears twice in this mapping: steps"),
        ("name: x\nsteps: [{set-property: {name: MemoryMax, value: 50%}}]\n", "p.yaml:2:49: steps[0].set-property.value: a percentage is only supported for CPUQuota; give MemoryMax in bytes or as a count"),
    ])
    func shapes(text: String, message: String) {
        #expect(problems(text) == [message])
    }

    @Test("random and hostile input never crashes and always yields a playbook or a problem", arguments: 0..<4)
    func fuzz(batch: Int) {
        var rng = SeededGenerator(state: UInt64(batch + 1) &* 0x9E37_79B9)
        let pieces = ["name:", " x", "steps:", " [", "]", "{", "}", "- restart", "\n", "  ", ":", "\"", "'", "&a", "*a", "!!binary", "1e999",
                      "-99999999999999999999", "match:", "units:", "[[[[[[", "]]]]]]", "set-property:", "value:", "+1e308%", "run:", "argv:",
                      "\u{0}", "ü", "#", "|", ">", "?", ",", "wait:", "-1s", "NaN", "guard:", "max-attempts:", "0x10"]
        for _ in 0..<250 {
            let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let outcome = PlaybookParser.parse(text, file: "fuzz.yaml")
            #expect(outcome.playbook != nil || !outcome.problems.isEmpty, "\(text.debugDescription)")
            #expect(outcome.problems.allSatisfy { !$0.description.contains("\n") }, "one line per problem: \(text.debugDescription)")
        }
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(!PlaybookParser.parse(deep, file: "deep.yaml").problems.isEmpty)
    }
}

@Suite("Playbook sets on disk")
struct PlaybookLoaderTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "medic-playbooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }

    @Test("duplicate names across files are refused, and the set is invalid as a whole")
    func duplicates() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "name: same\nsteps: [restart]\n".write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "name: same\nsteps: [start]\n".write(toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        try "not a playbook".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let set = PlaybookLoader.load(paths: [dir])
        #expect(set.files == 2)
        #expect(!set.isValid)
        #expect(set.problems.map(\.description) == ["\(dir)/b.yml:1:7: name: duplicate playbook name 'same' (also in \(dir)/a.yaml)"])
    }

    @Test("with a trusted owner, group- or world-writable files and directories and symbolic links are refused")
    func permissions() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/p.yaml"
        try "name: p\nsteps: [restart]\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let owner = geteuid()
        #expect(PlaybookLoader.load(paths: [file], trustedOwner: owner).problems.filter { !$0.message.contains("directory") }.isEmpty)
        chmod(file, 0o664)
        #expect(PlaybookLoader.load(paths: [file], trustedOwner: owner).problems.map(\.message) == ["refused: the file is writable by its group (chmod g-w)"])
        chmod(file, 0o646)
        #expect(PlaybookLoader.load(paths: [file], trustedOwner: owner).problems.map(\.message) == ["refused: the file is writable by everyone (chmod o-w)"])
        chmod(file, 0o644)
        chmod(dir, 0o777)
        #expect(PlaybookLoader.load(paths: [file], trustedOwner: owner).problems.map(\.message) == ["refused: its directory \(dir) is writable by everyone (chmod o-w)"])
        chmod(dir, 0o755)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.yaml", withDestinationPath: file)
        #expect(PlaybookLoader.load(paths: [dir + "/link.yaml"]).problems.map(\.message) == ["refused: a symbolic link (point Medic at the file itself)"])
    }
}
