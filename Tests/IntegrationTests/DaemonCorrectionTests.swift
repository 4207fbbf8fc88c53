import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` correcting units on its own when a playbook's trigger is met.
@Suite("medic run corrects units")
struct DaemonCorrectionTests {
    static let playbook = """
        name: restart-quick
        trigger: failure
        match: {health: failed}
        steps: [restart]
        verify: {healthy-for: 1s, within: 10s}
        guard: {cooldown: 1m, max-attempts: 2, window: 1h}
        """

    func setUp(_ sandbox: SystemdSandbox, unit: String) throws -> (config: String, state: String, playbooks: String, flag: String) {
        let flag = sandbox.runtimeDirectory + "/\(unit).ok"
        try sandbox.install(units: [unit: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
        _ = try sandbox.systemctl("start", unit)
        // The unit fails at once without its flag; tests create the flag only once it has.
        _ = waitUntil(10) { (try? show("ActiveState", unit, in: sandbox)) == "failed" }
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(unit)]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try Self.playbook.write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        return (config, sandbox.runtimeDirectory + "/state", playbooks, flag)
    }

    func show(_ property: String, _ unit: String, in sandbox: SystemdSandbox) throws -> String {
        try sandbox.systemctl("show", "-P", property, unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a failed unit is restarted, verified and recorded")
    func corrects() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("auto-heal")
        let paths = try setUp(sandbox, unit: name)
        #expect(try show("ActiveState", name, in: sandbox) == "failed")
        _ = FileManager.default.createFile(atPath: paths.flag, contents: nil)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let done = daemon.waitForLog("correction #", "of \(name) with restart-quick:")
        #expect(done?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("ActiveState", name, in: sandbox) == "active")
        let store = try MedicStore(path: paths.state + "/medic.db")
        let corrections = try await store.corrections(unit: name)
        #expect(corrections.map(\.state) == ["recovered"])
        #expect(try await store.steps(of: try #require(corrections.first).id).map(\.action) == ["restart"])
    }

    @Test("a unit selected by a glob that failed before start is corrected once its details are in; its timeline starts when Medic started watching")
    func correctsListedUnit() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("glob-heal")
        let paths = try setUp(sandbox, unit: name)
        try "watch: ['medic-test-glob-heal-*']\n".write(toFile: paths.config, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: paths.flag, contents: nil)
        let before = Date().timeIntervalSince1970
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let done = daemon.waitForLog("correction #", "of \(name) with restart-quick:")
        #expect(done?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        let store = try MedicStore(path: paths.state + "/medic.db")
        #expect(try await store.corrections(unit: name).map(\.state) == ["recovered"])
        // Failed since before Medic started: its first row is failed, from when Medic began watching.
        let first = try #require(try await store.observations(of: name, from: 0).first?.observation)
        #expect(first.health == .failed)
        #expect(first.time >= before && first.time <= Date().timeIntervalSince1970)
    }

    @Test("with --dry-run the plan is recorded and nothing changes")
    func dryRun() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("hands-off")
        let paths = try setUp(sandbox, unit: name)
        let invocation = try show("InvocationID", name, in: sandbox)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks, "--dry-run"])
        let done = daemon.waitForLog("correction #", "of \(name) with restart-quick:")
        #expect(done?.contains("dry-run") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("InvocationID", name, in: sandbox) == invocation)
        #expect(try show("ActiveState", name, in: sandbox) == "failed")
        let store = try MedicStore(path: paths.state + "/medic.db")
        let corrections = try await store.corrections(unit: name)
        #expect(corrections.map(\.state) == ["dry-run"])
        #expect(corrections.first?.dryRun == true)
    }

    @Test("an invalid playbook set stops medic run before it starts")
    func invalidSet() throws {
        try withSandbox { sandbox in
            let paths = try setUp(sandbox, unit: uniqueUnit("unused"))
            try "name: broken\nsteps: [explode]\n".write(toFile: paths.playbooks + "/broken.yaml", atomically: true, encoding: .utf8)
            let result = try MedicBinary.run(["run", "--bus-address", sandbox.busAddress, "--config", paths.config, "--state-dir", paths.state, "--playbooks", paths.playbooks], in: sandbox)
            #expect(result.status == 1)
            #expect(result.standardError.contains("broken.yaml:2:9: steps[0]: unknown action 'explode'"))
            #expect(result.standardError.contains("refusing an invalid playbook set (1 problems)"))
        }
    }

    @Test("kill -9 of the daemon between two steps: after restart the correction is undone from its record, once, and counted as an interruption")
    func crashBetweenSteps() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("interrupted")
        let paths = try setUp(sandbox, unit: name)
        try """
            name: slow-fix
            trigger: failure
            steps:
              - set-property: {name: MemoryMax, value: 256M}
              - wait: 10m
              - restart
            verify: {healthy-for: 1s, within: 5s}
            guard: {cooldown: 10m}
            """.write(toFile: paths.playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        var daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let store = try MedicStore(path: paths.state + "/medic.db")
        // Wait (boundedly) until the first step has ended and the second (the wait) is on record as
        // started, then kill the daemon in the middle of it.
        var recorded: [StoredStep] = []
        for _ in 0..<600 where recorded.count < 2 {
            if let open = try await store.corrections(unit: name, openOnly: true).first { recorded = try await store.steps(of: open.id) }
            if recorded.count < 2 { usleep(50_000) }
        }
        #expect(recorded.map(\.action) == ["set-property", "wait"])
        #expect(recorded.map(\.outcome) == ["done", "started"], "a step is on record before it is issued")
        daemon.child.signal(SIGKILL)
        daemon.child.wait()
        #expect(try show("MemoryMax", name, in: sandbox) == "268435456")

        daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let resolved = daemon.waitForLog("interrupted correction #", "of \(name) with slow-fix:")
        #expect(resolved?.contains("interrupted") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("MemoryMax", name, in: sandbox) == "infinity")
        let corrections = try await store.corrections(unit: name)
        #expect(corrections.map(\.state) == ["interrupted"], "recorded once")
        let steps = try await store.steps(of: try #require(corrections.first).id)
        #expect(steps.map(\.action) == ["set-property", "wait", "restore MemoryMax"])
        #expect(steps.map(\.outcome) == ["done", "interrupted", "undone"])
        // A crash of Medic teaches nothing about the playbook: the interrupted attempt is not counted.
        let stats = try MedicBinary.run(["stats", "--json", "--config", paths.config, "--state-dir", paths.state])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(stats.standardOutput.utf8)) as? [String: Any])
        let rows = try #require(document["statistics"] as? [[String: Any]])
        #expect(rows.isEmpty, "\(rows)")
    }

    @Test("SIGTERM in the middle of a correction: it is completed and verified before Medic exits 0")
    func drainOnStop() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("drained")
        let paths = try setUp(sandbox, unit: name)
        try """
            name: slow-restart
            trigger: failure
            steps: [{wait: 5s}, restart]
            verify: {healthy-for: 1s, within: 10s}
            """.write(toFile: paths.playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: paths.flag, contents: nil)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        // The correction waits 5 s before it restarts: SIGTERM lands while it is running.
        let started = daemon.waitForLog("correcting \(name) with slow-restart")
        #expect(started != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        daemon.waitForLog("stopped; history written", timeout: 5)
        let lines = daemon.log.all
        let draining = lines.firstIndex { $0.contains("waiting up to") && $0.contains("for 1 running correction(s)") }
        let finished = lines.firstIndex { $0.contains("correction #") && $0.contains("of \(name) with slow-restart: recovered") }
        #expect(draining != nil && finished != nil && draining! < finished!, "the stop waited for the correction: \(lines.joined(separator: "\n"))")
        let store = try MedicStore(path: paths.state + "/medic.db")
        let corrections = try await store.corrections(unit: name)
        #expect(corrections.map(\.state) == ["recovered"], "finished, not left open")
        #expect(try show("ActiveState", name, in: sandbox) == "active")
    }

    @Test("a fix that never helps is tried the configured number of times, then escalated once, then nothing more")
    func escalation() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("hopeless")
        let paths = try setUp(sandbox, unit: name)
        let escalated = sandbox.runtimeDirectory + "/escalated"
        try """
            name: try-restart
            trigger: failure
            steps:
              - restart
              - notify: {argv: [/usr/bin/touch, \(escalated)]}
            verify: {healthy-for: 1s, within: 2s}
            guard:
              cooldown: 1s
              max-attempts: 2
              window: 1h
              backoff: {initial: 1s, max: 1s}
              on-exhausted: escalate
            """.write(toFile: paths.playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let escalation = daemon.waitForLog("of \(name) with try-restart: escalated", timeout: 60)
        #expect(escalation != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // Quarantined now: several more heartbeats pass without any further action.
        usleep(5_000_000)
        #expect(daemon.stop() == 0)
        let store = try MedicStore(path: paths.state + "/medic.db")
        let corrections = try await store.corrections(unit: name)
        #expect(corrections.map(\.state) == ["escalated", "rolled-back", "rolled-back"])
        var restarts = 0
        for correction in corrections { restarts += try await store.steps(of: correction.id).filter { $0.action == "restart" }.count }
        #expect(restarts == 2, "exactly the configured attempts, nothing after the escalation")
        #expect(FileManager.default.fileExists(atPath: escalated))
        let escalationSteps = try await store.steps(of: try #require(corrections.first).id)
        #expect(escalationSteps.map(\.action) == ["notify"])
    }

    /// A daemon whose unit has a 90 % SLO over 1 min with a 5 s fastest window, and a restart playbook
    /// that also wants the burn rate back under 1 within `within`.
    func burnRateCorrection(within: String) async throws -> StoredCorrection {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("burning")
        let paths = try setUp(sandbox, unit: name)
        try """
            watch: [\(name)]
            slo:
              objective: 90
              window: 60s
              burn-rate-alerts: [{severity: page, long: 20s, short: 5s, threshold: 2}]
            """.write(toFile: paths.config, atomically: true, encoding: .utf8)
        try """
            name: restart-and-cool-down
            trigger: failure
            steps: [{wait: 3s}, restart]
            verify: {healthy-for: 1s, within: \(within), burn-rate-below: 1}
            """.write(toFile: paths.playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        // Healthy while the daemon starts, then killed: the 3 s before the restart are bad time in
        // the 5 s window (a burn rate of about 6), which takes about 5 s to leave it.
        _ = FileManager.default.createFile(atPath: paths.flag, contents: nil)
        try #require(try sandbox.systemctl("start", name).succeeded)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(daemon.waitForLog("correction #", "of \(name) with restart-and-cool-down:", timeout: 60) != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        let store = try MedicStore(path: paths.state + "/medic.db")
        return try #require(try await store.corrections(unit: name).first)
    }

    @Test("verification waits for the burn rate to fall back under the playbook's threshold")
    func burnRateVerified() async throws {
        let correction = try await burnRateCorrection(within: "30s")
        #expect(correction.state == "recovered", "\(correction.verification ?? "")")
        #expect(correction.verification?.contains("over 5s, under 1.0") == true, "\(correction.verification ?? "")")
    }

    @Test("a burn rate still too high at the deadline fails verification, and the fix is rolled back")
    func burnRateTooHigh() async throws {
        let correction = try await burnRateCorrection(within: "2s")
        #expect(correction.state == "rolled-back", "\(correction.verification ?? "")")
        #expect(correction.verification?.contains("did not fall under 1.0 in time") == true, "\(correction.verification ?? "")")
    }

    @Test("SIGHUP reloads configuration and playbooks all or nothing: an invalid set is refused, kept and shown by medic status; a valid one is taken")
    func reload() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("reloaded")
            let other = uniqueUnit("watched-later")
            let paths = try setUp(sandbox, unit: name)
            _ = FileManager.default.createFile(atPath: paths.flag, contents: nil)
            try #require(try sandbox.systemctl("start", name).succeeded)
            try sandbox.runService(other, ["/bin/sleep", "infinity"])
            let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
            #expect(daemon.waitForLog("watching 1 units") != nil)
            func status() throws -> String {
                try MedicBinary.run(["status", "--bus-address", sandbox.busAddress, "--config", paths.config, "--state-dir", paths.state, name]).standardOutput
            }

            // A broken playbook: the whole reload is refused, and medic status says so.
            try "name: broken\nsteps: [explode]\n".write(toFile: paths.playbooks + "/broken.yaml", atomically: true, encoding: .utf8)
            daemon.child.signal(SIGHUP)
            #expect(daemon.waitForLog("refusing the reload:", "broken.yaml:2:9: steps[0]: unknown action 'explode'", "the 1 playbooks in use stay in use") != nil, "\(daemon.log.all.joined(separator: "\n"))")
            let refused = try status()
            #expect(refused.contains("medic run refused the reload at"), "\(refused)")
            // A valid playbook set with a broken configuration: refused as a whole too.
            try "name: second\ntrigger: failure\nsteps: [restart]\n".write(toFile: paths.playbooks + "/broken.yaml", atomically: true, encoding: .utf8)
            try "watch: [\(name), \(other)]\nslo: {objective: 120}\n".write(toFile: paths.config, atomically: true, encoding: .utf8)
            daemon.child.signal(SIGHUP)
            #expect(daemon.waitForLog("refusing the reload: invalid configuration:", "slo.objective") != nil, "\(daemon.log.all.joined(separator: "\n"))")
            // Both valid: taken, and the newly watched unit is watched.
            try "watch: [\(name), \(other)]\n".write(toFile: paths.config, atomically: true, encoding: .utf8)
            daemon.child.signal(SIGHUP)
            #expect(daemon.waitForLog("reloaded the configuration and 2 playbooks; watching anew") != nil, "\(daemon.log.all.joined(separator: "\n"))")
            #expect(daemon.waitForLog("watching 2 units") != nil)
            #expect(!(try status().contains("refused")), "a reload that was taken clears the note")
            // The daemon still works, on the unit it watches since the reload too.
            kill(try sandbox.mainPID(of: other), SIGKILL)
            #expect(daemon.waitForLog("correction #", "of \(other)", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
            #expect(daemon.stop() == 0)
        }
    }
}
