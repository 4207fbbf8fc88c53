import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic heal` correcting real units on a sandboxed systemd: restart and verify, roll back what did
/// not help (checked on the bus), change nothing in dry-run, never touch protected units.
@Suite("medic heal on a real systemd")
struct HealTests {
    /// Writes playbooks into a directory of the sandbox and returns it.
    func playbooks(_ files: [String: String], in sandbox: SystemdSandbox) throws -> String {
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        return directory
    }

    func heal(_ arguments: [String], in sandbox: SystemdSandbox) throws -> CommandResult {
        try MedicBinary.run(["heal", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state"] + arguments, in: sandbox)
    }

    /// The corrections recorded in the sandbox's history store, newest first, with their steps.
    func history(in sandbox: SystemdSandbox) async throws -> [(StoredCorrection, [StoredStep])] {
        let store = try MedicStore(path: sandbox.runtimeDirectory + "/state/medic.db")
        var result: [(StoredCorrection, [StoredStep])] = []
        for correction in try await store.corrections() { result.append((correction, try await store.steps(of: correction.id))) }
        return result
    }

    func show(_ property: String, _ unit: String, in sandbox: SystemdSandbox) throws -> String {
        try sandbox.systemctl("show", "-P", property, unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let restart = """
        name: restart-quick
        priority: 10
        trigger: failure
        match: {health: failed, results: [exit-code, signal]}
        steps: [restart]
        verify: {healthy-for: 1s, within: 10s}
        """

    @Test("a unit that failed with exit-code is restarted and verified healthy")
    func restartAndVerify() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("heal-me")
            let flag = sandbox.runtimeDirectory + "/\(name).ok"
            try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
            _ = try sandbox.systemctl("start", name)
            // The flag must appear only once the unit has failed, or the unit may simply start.
            #expect(try waitUntil(10) { try show("ActiveState", name, in: sandbox) == "failed" })
            let directory = try playbooks(["restart.yaml": Self.restart], in: sandbox)
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            let result = try heal(["--playbooks", directory, name], in: sandbox)
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("plan: restart-quick (priority 10) matches failed: exit-code status=3"))
            #expect(result.standardOutput.contains("step: restart: done"))
            #expect(result.standardOutput.contains("verification: healthy for 1s without interruption"))
            #expect(result.standardOutput.contains("outcome: recovered"))
            #expect(try show("ActiveState", name, in: sandbox) == "active")
        }
    }

    @Test("a fix that does not verify is rolled back: the property is back to its old value on the bus, and it is all recorded")
    func rollback() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        do {
            let name = uniqueUnit("hopeless")
            try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'exit 3'\n"])
            _ = try sandbox.systemctl("start", name)
            #expect(try waitUntil(10) { try show("ActiveState", name, in: sandbox) == "failed" })
            let before = try show("MemoryMax", name, in: sandbox)
            let directory = try playbooks(["memory.yaml": """
                name: more-memory
                trigger: failure
                steps:
                  - set-property: {name: MemoryMax, value: 256M}
                  - restart
                verify: {healthy-for: 1s, within: 3s}
                rollback: automatic
                """], in: sandbox)
            let result = try heal(["--playbooks", directory, name], in: sandbox)
            #expect(result.status == 3)
            #expect(result.standardOutput.contains("step: set-property: done"))
            #expect(result.standardOutput.contains("rollback: restore MemoryMax: undone"))
            #expect(result.standardOutput.contains("outcome: rolled-back"))
            #expect(try show("MemoryMax", name, in: sandbox) == before)
            #expect(before == "infinity")
            let recorded = try await history(in: sandbox)
            #expect(recorded.count == 1)
            let (correction, steps) = try #require(recorded.first)
            #expect(correction.unit == name)
            #expect(correction.playbook == "more-memory")
            #expect(correction.state == "rolled-back")
            // It failed again at once, and nothing would restart it: verification did not wait out its window.
            #expect(correction.verification?.contains("failed again and systemd does not restart it") == true, "\(correction.verification ?? "")")
            #expect(steps.map(\.action) == ["set-property", "restart", "restore MemoryMax"])
            #expect(steps.map(\.isRollback) == [false, false, true])
            #expect(steps.first?.captured == UInt64.max, "the replaced value is kept for recovery")
        }
    }

    @Test("a unit in start-limit-hit is reset and started by the shipped playbook")
    func startLimitHit() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("start-limit")
            let flag = sandbox.runtimeDirectory + "/\(name).ok"
            // Exits successfully (so systemd keeps Result=success) and is restarted at once until the
            // start limit refuses the fourth start: that leaves the unit failed with start-limit-hit.
            try sandbox.install(units: [name: """
                [Unit]
                StartLimitIntervalSec=1min
                StartLimitBurst=3
                [Service]
                Restart=always
                RestartSec=100ms
                ExecStart=/bin/sh -c 'test -e \(flag) && exec sleep infinity; exit 0'
                """])
            _ = try sandbox.systemctl("start", name)
            let deadline = Date().addingTimeInterval(20)
            while try show("Result", name, in: sandbox) != "start-limit-hit" && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            #expect(try show("Result", name, in: sandbox) == "start-limit-hit")
            #expect(try sandbox.systemctl("start", name).status != 0, "systemd itself refuses to start it")
            // The shipped playbook, with a verification short enough for a test.
            let shipped = try String(contentsOfFile: PlaybookCheckTests.repository + "/Playbooks/reset-start-limit.yaml", encoding: .utf8)
            let quick = shipped.replacingOccurrences(of: "healthy-for: 1m", with: "healthy-for: 1s").replacingOccurrences(of: "within: 2m", with: "within: 10s")
            #expect(quick != shipped)
            let directory = try playbooks(["reset-start-limit.yaml": quick], in: sandbox)
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            let result = try heal(["--playbooks", directory, name], in: sandbox)
            #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("plan: reset-start-limit (priority 60) matches failed"))
            #expect(result.standardOutput.contains("step: reset-failed: done"))
            #expect(result.standardOutput.contains("step: start: done"))
            #expect(result.standardOutput.contains("outcome: recovered"))
            #expect(try show("ActiveState", name, in: sandbox) == "active")
            #expect(try show("SubState", name, in: sandbox) == "running")
        }
    }

    @Test("dry-run prints the plan and starts no job on the manager")
    func dryRun() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("untouched")
            try sandbox.runService(name, ["/bin/sh", "-c", "exit 3"], wait: true)
            let invocation = try show("InvocationID", name, in: sandbox)
            let directory = try playbooks(["restart.yaml": Self.restart], in: sandbox)
            let result = try heal(["--dry-run", "--playbooks", directory, name], in: sandbox)
            #expect(result.status == 0)
            #expect(result.standardOutput.contains("(dry-run)"))
            #expect(result.standardOutput.contains("step: restart: dry-run"))
            #expect(result.standardOutput.contains("outcome: dry-run"))
            #expect(try show("InvocationID", name, in: sandbox) == invocation)
            #expect(try show("NRestarts", name, in: sandbox) == "0")
            #expect(try show("ActiveState", name, in: sandbox) == "failed")
        }
    }

    @Test("a protected unit is never touched")
    func protected() throws {
        try withSandbox { sandbox in
            // The bus daemon is socket-activated: make sure it runs before noting its invocation.
            _ = try MedicBinary.status(["dbus.service"], in: sandbox)
            let invocation = try show("InvocationID", "dbus.service", in: sandbox)
            let directory = try playbooks(["any.yaml": "name: anything\nsteps: [restart]\nverify: {healthy-for: 1s, within: 2s}\n"], in: sandbox)
            let result = try heal(["--playbooks", directory, "dbus.service"], in: sandbox)
            #expect(result.status == 1)
            #expect(result.standardError.contains("not acting: dbus.service is protected"))
            #expect(try show("InvocationID", "dbus.service", in: sandbox) == invocation)
        }
    }

    @Test("an invalid playbook set is refused as a whole")
    func invalidSet() throws {
        try withSandbox { sandbox in
            let directory = try playbooks(["good.yaml": Self.restart, "bad.yaml": "name: bad\nsteps: [explode]\n"], in: sandbox)
            let result = try heal(["--playbooks", directory, "whatever.service"], in: sandbox)
            #expect(result.status == 1)
            #expect(result.standardError.contains("bad.yaml:2:9: steps[0]: unknown action 'explode'"))
            #expect(result.standardError.contains("refusing an invalid playbook set (1 problems)"))
        }
    }
}

/// Playbooks that match on a unit's journal lines, against a journald running in the sandbox.
@Suite("medic heal matching journal lines")
struct HealJournalTests {
    @Test("the playbook whose expression matches the unit's recent journal lines is chosen")
    func journalMatch() throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let name = uniqueUnit("config-missing")
        // The service lives on a moment after its line, so that journald reads the line while the
        // process it came from still exists (a loaded machine lost it once in a full run).
        try sandbox.runService(name, ["/bin/sh", "-c", "echo 'cannot open /etc/app.conf'; sleep 1; exit 3"], wait: true)
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "name: config-fix\npriority: 10\nmatch: {journal: \"cannot open /etc/.*\\\\.conf\"}\nsteps: [restart]\n".write(toFile: directory + "/a.yaml", atomically: true, encoding: .utf8)
        try "name: generic\nsteps: [restart]\n".write(toFile: directory + "/b.yaml", atomically: true, encoding: .utf8)
        // journald files the unit's output asynchronously, slowly on a loaded machine: wait, boundedly,
        // until it can be read.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let logs = try MedicBinary.run(["logs", "--directory", sandbox.journalDirectory, name])
            if logs.standardOutput.contains("cannot open") { break }
            usleep(100_000)
        }
        func plan(_ extra: [String]) throws -> String {
            try MedicBinary.run(["heal", "--dry-run", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state", "--playbooks", directory] + extra + [name], in: sandbox).standardOutput
        }
        #expect(try plan(["--journal-directory", sandbox.journalDirectory]).contains("plan: config-fix (priority 10)"))
        #expect(try plan(["--journal-directory", sandbox.runtimeDirectory + "/nowhere"]).contains("plan: generic (priority 0)"), "without journal lines a journal match fails")
    }
}
