import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// Medic run by systemd as the shipped Type=notify unit, inside a sandboxed manager with its own
/// journald: readiness, status, journal fields, reload, the watchdog, and resuming from the store.
@Suite("Medic as a systemd service")
struct ServiceUnitTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func show(_ property: String, _ unit: String, in sandbox: SystemdSandbox) throws -> String {
        try sandbox.systemctl("show", "-P", property, unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `condition` every 50 ms for at most `timeout` seconds.
    func eventually(_ timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test("READY only after the first snapshot; STATUS, journal fields, reload refusal, watchdog restart, and history resumed once")
    func shippedUnit() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let app = uniqueUnit("served")
        let flag = sandbox.runtimeDirectory + "/\(app).ok"
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        try sandbox.install(units: [app: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
        _ = try sandbox.systemctl("start", app)
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(app), medic.service]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try "name: restart-quick\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\nguard: {cooldown: 1s}\n"
            .write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let state = sandbox.runtimeDirectory + "/state"

        // The shipped user unit, pointed at this build and this sandbox, with short timers for a test.
        var unit = try String(contentsOfFile: Self.repository + "/units/user/medic.service", encoding: .utf8)
        let replacements = [
            "ExecStart=%h/.local/bin/medic run --user": "ExecStart=\(MedicBinary.path) run --bus-address \(sandbox.busAddress) --config \(config) --state-dir \(state) --playbooks \(playbooks)",
            "WatchdogSec=30s": "WatchdogSec=3s", "TimeoutAbortSec=10s": "TimeoutAbortSec=1s", "RestartSec=5s": "RestartSec=500ms",
            // The sandboxed manager's home is the host's: keep Medic's directories in the sandbox.
            "StateDirectory=medic\n": "", "ConfigurationDirectory=medic\n": "",
        ]
        for (shipped, test) in replacements {
            #expect(unit.contains(shipped), "the shipped unit has \(shipped)")
            unit = unit.replacingOccurrences(of: shipped, with: test)
        }
        try sandbox.install(units: ["medic.service": unit])

        // With the bus down Medic cannot take its snapshot: systemd must keep it activating.
        _ = try sandbox.systemctl("stop", "dbus.socket", "dbus.service")
        _ = try sandbox.systemctl("start", "--no-block", "medic.service")
        var states: Set<String> = []
        for _ in 0..<15 {
            states.insert(try show("ActiveState", "medic.service", in: sandbox))
            usleep(100_000)
        }
        #expect(states == ["activating"], "before READY: \(states)")
        _ = try sandbox.systemctl("start", "dbus.socket")
        #expect(try eventually { try show("ActiveState", "medic.service", in: sandbox) == "active" })
        let ready = try eventually { try show("StatusText", "medic.service", in: sandbox) == "watching 2 units, 0 failed, 0 corrections running" }
        let statusText = try show("StatusText", "medic.service", in: sandbox)
        #expect(ready, "\(statusText)")

        // A failure is corrected; the daemon's journal entries carry MEDIC_UNIT.
        let store = try MedicStore(path: state + "/medic.db")
        kill(try sandbox.mainPID(of: app), SIGKILL)
        #expect(try await eventuallyAsync { try await store.corrections(unit: app).first?.state == "recovered" })
        let entries = try sandbox.run(["journalctl", "--directory", sandbox.journalDirectory, "MEDIC_UNIT=\(app)", "-o", "cat"]).standardOutput
        #expect(entries.contains("correction #1 of \(app) with restart-quick: recovered"), "\(entries)")
        let playbookField = try sandbox.run(["journalctl", "--directory", sandbox.journalDirectory, "MEDIC_PLAYBOOK=restart-quick", "MEDIC_CORRECTION_ID=1", "-o", "cat"]).standardOutput
        #expect(playbookField.contains("recovered"), "\(playbookField)")

        // systemctl reload with a broken playbook: refused, the old set kept, STATUS and medic status say so.
        try "name: broken\nsteps: [explode]\n".write(toFile: playbooks + "/broken.yaml", atomically: true, encoding: .utf8)
        _ = try sandbox.systemctl("reload", "medic.service")
        #expect(try eventually { try show("StatusText", "medic.service", in: sandbox).contains("last reload refused: ") })
        #expect(try show("ActiveState", "medic.service", in: sandbox) == "active")
        let status = try MedicBinary.run(["status", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state, app]).standardOutput
        #expect(status.contains("medic run refused the reload at") && status.contains("broken.yaml:2:9"), "\(status)")
        try FileManager.default.removeItem(atPath: playbooks + "/broken.yaml")

        // kill -STOP: the watchdog fires, systemd kills and restarts Medic.
        let stopped = try sandbox.mainPID(of: "medic.service")
        kill(stopped, SIGSTOP)
        #expect(try eventually { try show("NRestarts", "medic.service", in: sandbox) == "1" && show("ActiveState", "medic.service", in: sandbox) == "active" })
        #expect(try sandbox.mainPID(of: "medic.service") != stopped)

        // The new Medic resumes from its store: the first correction is there once, and it works on.
        #expect(try await store.corrections(unit: app).count == 1)
        let session = try #require(try await store.lastSession())
        let previous = try #require(try await store.lastSession(before: session.id))
        #expect(previous.stoppedAt == nil, "the killed session never stopped cleanly")
        kill(try sandbox.mainPID(of: app), SIGKILL)
        #expect(try await eventuallyAsync { try await store.corrections(unit: app).map(\.state) == ["recovered", "recovered"] })

        // A clean stop: STOPPING, exit 0, session closed.
        _ = try sandbox.systemctl("stop", "medic.service")
        #expect(try show("Result", "medic.service", in: sandbox) == "success")
        #expect(try await store.lastSession()?.stoppedAt != nil)
    }

    func eventuallyAsync(_ timeout: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test("the shipped system unit stays hardened at systemd-analyze's OK or better")
    func securityScore() throws {
        let result = try Command.run(["systemd-analyze", "security", "--offline=yes", "--threshold=49", Self.repository + "/units/medic.service"])
        #expect(result.succeeded, "\(result.standardOutput.suffix(300))\(result.standardError)")
        #expect(result.standardOutput.contains("Overall exposure level for medic.service"))
    }
}
