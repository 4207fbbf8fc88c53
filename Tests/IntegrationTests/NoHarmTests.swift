import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` with the shipped playbooks never harms: it leaves units to systemd's own `Restart=`,
/// never acts on healthy units, never stops (and so unloads) transient ones, forgets removed units,
/// escalates only what is still unhealthy, and keeps its word on SIGTERM. What Medic asked systemd to
/// do is counted by an independent `busctl monitor`, not read from Medic's own history.
@Suite("Corrections never harm")
struct NoHarmTests {
    /// A copy of the shipped playbooks (optionally edited) in the sandbox, owned by this user.
    func playbooks(in sandbox: SystemdSandbox, only: [String]? = nil, edit: (String, String) -> String = { $1 }, extra: [String: String] = [:]) throws -> String {
        let source = PlaybookCheckTests.repository + "/Playbooks"
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source) where file.hasSuffix(".yaml") && (only?.contains(file) ?? true) {
            let text = try String(contentsOfFile: "\(source)/\(file)", encoding: .utf8)
            try edit(file, text).write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8)
        }
        for (file, text) in extra { try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8) }
        return directory
    }

    func config(_ sandbox: SystemdSandbox, watch: [String], extra: String = "") throws -> String {
        let path = sandbox.runtimeDirectory + "/medic.yaml"
        try ("watch: [\(watch.joined(separator: ", "))]\n" + extra).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A transient service made with systemd-run, as operators and tools make them.
    func transient(_ name: String, _ command: String, in sandbox: SystemdSandbox) throws {
        let result = try sandbox.run(["systemd-run", "--user", "--unit", name, "--property=Restart=no", "/bin/sh", "-c", command])
        #expect(result.succeeded, "\(result.standardError)")
    }

    @Test("soak: crash loops under Restart=, units that recover by themselves, healthy and transient units and a removed one are never acted on; SIGTERM ends in time")
    func soak() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let loop = uniqueUnit("loop"), recovers = uniqueUnit("recovers"), healthy = uniqueUnit("healthy")
        let calm = uniqueUnit("transient-ok"), broken = uniqueUnit("transient-broken"), removed = uniqueUnit("removed")
        let counter = sandbox.runtimeDirectory + "/\(recovers).count"
        try sandbox.install(units: [
            // Crashes for ever; systemd restarts it every time (no start limit).
            loop: "[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=always\nRestartSec=300ms\nExecStart=/bin/sh -c 'sleep 0.5; exit 1'\n",
            // Crashes six times (a crash loop by Medic's count), then runs for good.
            recovers: """
                [Unit]
                StartLimitIntervalSec=0
                [Service]
                Restart=always
                RestartSec=200ms
                ExecStart=/bin/sh -c 'n=$(cat \(counter) 2>/dev/null || echo 0); echo $((n+1)) > \(counter); [ $n -ge 6 ] && exec sleep infinity; sleep 0.3; exit 1'
                """,
            healthy: "[Service]\nExecStart=/bin/sleep infinity\n",
        ])
        for unit in [loop, recovers, healthy] { _ = try sandbox.systemctl("start", unit) }
        try transient(calm, "exec sleep infinity", in: sandbox)
        // Fails and stays failed: a correction may restart it, but must never stop it.
        try transient(broken, "sleep 1; exit 3", in: sandbox)
        try transient(removed, "sleep 1; exit 3", in: sandbox)

        let monitor = try BusJobMonitor(sandbox)
        // Every shipped playbook; back-off-flapping (stop, wait, start) made to act as soon as it may.
        let directory = try playbooks(in: sandbox, edit: { _, text in text.replacingOccurrences(of: "trigger: fast-burn", with: "trigger: failure") })
        let path = try config(sandbox, watch: [loop, recovers, healthy, calm, broken, removed], extra: "slo: {objective: 99.9, window: 1h}\n")
        let state = sandbox.runtimeDirectory + "/state"
        let daemon = try DaemonProcess(in: sandbox, config: path, stateDirectory: state, arguments: ["--playbooks", directory, "--drain-timeout", "3s"])

        // The removed unit: unloaded by the operator while failing (again, if Medic restarted it meanwhile).
        #expect(try await eventually(30) {
            _ = try sandbox.systemctl("reset-failed", removed)
            return try show("LoadState", removed, in: sandbox) == "not-found"
        })
        let afterRemoval = monitor.calls.count

        try await Task.sleep(for: .seconds(45))
        for unit in [loop, recovers, healthy, calm] {
            #expect(monitor.calls(on: unit).isEmpty, "Medic acted on \(unit): \(monitor.calls(on: unit))\n\(daemon.log.all.joined(separator: "\n"))")
        }
        #expect(!monitor.calls(on: broken).contains { $0.member == "StopUnit" }, "\(monitor.calls(on: broken))")
        #expect(!monitor.calls.dropFirst(afterRemoval).contains { $0.unit == removed }, "\(monitor.calls(on: removed))")
        for unit in [calm, broken] { #expect(try show("LoadState", unit, in: sandbox) == "loaded", "\(unit) was unloaded") }
        #expect(try show("SubState", recovers, in: sandbox) == "running")
        // Not acting is a decision, and it is said once.
        let held = daemon.log.all.filter { $0.contains("not correcting \(loop)") }
        #expect(held.count >= 1 && held.count <= 3, "\(held)")
        #expect(held.first?.contains("Restart=always") == true, "\(held)")

        let stopped = Date()
        #expect(daemon.stop() == 0)
        #expect(Date().timeIntervalSince(stopped) < 3 + 5)
    }

    @Test("a playbook that would stop a transient unit is passed over, and Medic says why")
    func transientNeverStopped() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("transient")
        try transient(name, "sleep 1; exit 3", in: sandbox)
        let stopStart = """
            name: stop-start
            trigger: failure
            steps: [stop, {wait: 1s}, start]
            verify: {healthy-for: 1s, within: 5s}
            """
        let directory = try playbooks(in: sandbox, only: [], extra: ["stop-start.yaml": stopStart])
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        let monitor = try BusJobMonitor(sandbox)
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: [name]), stateDirectory: sandbox.runtimeDirectory + "/state",
                                       arguments: ["--playbooks", directory])
        let held = await daemon.awaitLog("not correcting \(name)", timeout: 20)
        #expect(held?.contains("stop-start would stop transient \(name), which unloads it") == true, "\(daemon.log.all.joined(separator: "\n"))")
        try await Task.sleep(for: .seconds(3))
        #expect(daemon.stop() == 0)
        #expect(monitor.calls(on: name).isEmpty, "\(monitor.calls(on: name))")
        #expect(try show("LoadState", name, in: sandbox) == "loaded")
    }

    @Test("a unit removed during its correction is forgotten: the correction is closed as abandoned and nothing more is sent")
    func removedDuringCorrection() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("vanishing")
        try transient(name, "sleep 1; exit 3", in: sandbox)
        let slow = """
            name: slow-restart
            trigger: failure
            steps: [{wait: 5m}, restart]
            verify: {healthy-for: 1s, within: 5s}
            """
        let directory = try playbooks(in: sandbox, only: [], extra: ["slow.yaml": slow])
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        let monitor = try BusJobMonitor(sandbox)
        let state = sandbox.runtimeDirectory + "/state"
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: [name]), stateDirectory: state, arguments: ["--playbooks", directory])
        #expect(await daemon.awaitLog("correcting \(name) with slow-restart") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        _ = try sandbox.systemctl("reset-failed", name)
        #expect(try show("LoadState", name, in: sandbox) == "not-found")
        let closed = await daemon.awaitLog("correction #", "of \(name) with slow-restart:", timeout: 15)
        #expect(closed?.contains("abandoned") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(!monitor.calls(on: name).contains { $0.member != "ResetFailedUnit" }, "\(monitor.calls(on: name))")
        let corrections = try await MedicStore(path: state + "/medic.db").corrections(unit: name)
        #expect(corrections.map(\.state) == ["abandoned"])
    }

    @Test("escalate.yaml never notifies about a unit that is healthy now, however exhausted its budget")
    func noEscalationWhenHealthy() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("spent")
        let flag = sandbox.runtimeDirectory + "/\(name).ok"
        let notified = sandbox.runtimeDirectory + "/notified"
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
        _ = try sandbox.systemctl("start", name)
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        let path = try config(sandbox, watch: [name], extra: "slo: {objective: 99.9, window: 1h}\n")
        let state = sandbox.runtimeDirectory + "/state"
        // First, no playbooks: the unit stays failed long enough to spend its whole budget (3.6 s).
        let empty = sandbox.runtimeDirectory + "/none"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        var daemon = try DaemonProcess(in: sandbox, config: path, stateDirectory: state, arguments: ["--playbooks", empty])
        try await Task.sleep(for: .seconds(8))
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        _ = try sandbox.systemctl("start", name)
        #expect(try show("SubState", name, in: sandbox) == "running")
        try await Task.sleep(for: .seconds(1))
        #expect(daemon.stop() == 0)

        // Then the shipped escalation, notifying into a file: the unit is healthy, so nothing happens.
        let directory = try playbooks(in: sandbox, only: ["escalate.yaml"], edit: { _, text in
            text.replacingOccurrences(of: #"argv: [/usr/bin/logger, --tag, medic, --priority, user.crit, "error budget exhausted and no playbook helped"]"#,
                                      with: #"argv: [/bin/sh, -c, "echo $MEDIC_UNIT >> \#(notified)"]"#)
        })
        #expect(try String(contentsOfFile: directory + "/escalate.yaml", encoding: .utf8).contains(notified))
        daemon = try DaemonProcess(in: sandbox, config: path, stateDirectory: state, arguments: ["--playbooks", directory])
        let slo = try MedicBinary.run(["slo", "--json", "--config", path, "--state-dir", state])
        #expect(slo.standardOutput.contains("\"exhausted\""), "the budget must be exhausted for this test to mean anything: \(slo.standardOutput)")
        try await Task.sleep(for: .seconds(12))  // two SLO evaluations and several heartbeats
        #expect(daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: notified), "\(daemon.log.all.joined(separator: "\n"))")
        #expect(!daemon.log.all.contains { $0.contains("escalat") && $0.contains(name) })
    }

    @Test("SIGTERM during a long verification: medic run exits 0 within the drain timeout plus 5 s and leaves the correction open for the next start")
    func shutdownKeepsItsWord() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("long-verify")
        let flag = sandbox.runtimeDirectory + "/\(name).ok"
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
        _ = try sandbox.systemctl("start", name)
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let long = """
            name: long-verify
            trigger: failure
            steps: [restart]
            verify: {healthy-for: 1h, within: 2h}
            """
        let directory = try playbooks(in: sandbox, only: [], extra: ["long.yaml": long])
        let state = sandbox.runtimeDirectory + "/state"
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: [name]), stateDirectory: state,
                                       arguments: ["--playbooks", directory, "--drain-timeout", "2s"])
        #expect(await daemon.awaitLog("correcting \(name) with long-verify") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(try await eventually(10) { try show("SubState", name, in: sandbox) == "running" })
        let stopped = Date()
        #expect(daemon.stop() == 0)
        let took = Date().timeIntervalSince(stopped)
        #expect(took < 2 + 5, "took \(took) s")
        #expect(daemon.log.all.contains { $0.contains("stopping with corrections still running (\(name))") })
        let corrections = try await MedicStore(path: state + "/medic.db").corrections(unit: name)
        #expect(corrections.map(\.state) == ["open"], "finished by the next start, as after a crash")
    }

    @Test("medic heal on a healthy unit or a unit that does not exist: one line, exit 1, nothing recorded; --force heals anyway")
    func healNothing() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        do {
            let name = uniqueUnit("fine")
            try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sleep infinity\n"])
            _ = try sandbox.systemctl("start", name)
            let quick = "name: quick-restart\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\n"
            let directory = try playbooks(in: sandbox, only: ["restart-failed.yaml"], extra: ["quick.yaml": quick])
            let state = sandbox.runtimeDirectory + "/state"
            let monitor = try BusJobMonitor(sandbox)
            let healthy = try MedicBinary.run(["heal", "--bus-address", sandbox.busAddress, "--state-dir", state, "--playbooks", directory, name], in: sandbox)
            #expect(healthy.status == 1)
            #expect(healthy.standardError.contains("\(name) is healthy (running): nothing to heal"), "\(healthy.standardError)")
            let missing = uniqueUnit("nowhere")
            let absent = try MedicBinary.run(["heal", "--bus-address", sandbox.busAddress, "--state-dir", state, "--playbooks", directory, missing], in: sandbox)
            #expect(absent.status == 1)
            #expect(absent.standardError.contains("\(missing): no such unit"), "\(absent.standardError)")
            #expect(absent.standardError.split(separator: "\n").count == 1)
            #expect(monitor.calls(on: name).isEmpty && monitor.calls(on: missing).isEmpty)
            // --force runs a playbook anyway: one restart, verified.
            let forced = try MedicBinary.run(["heal", "--bus-address", sandbox.busAddress, "--state-dir", state, "--playbooks", directory, "--force", name], in: sandbox)
            #expect(forced.status == 0, "\(forced.standardOutput)\(forced.standardError)")
            #expect(forced.standardOutput.contains("outcome: recovered"), "\(forced.standardOutput)")
            #expect(monitor.calls(on: name).map(\.member) == ["RestartUnit"])
            #expect(try await MedicStore(path: state + "/medic.db").corrections().map(\.state) == ["recovered"], "only the forced heal is recorded")
        }
    }

    @Test("a failed ExecStartPre= is named with its status, not as the main process's exit status 0")
    func controlCommandNamed() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("pre-fails")
            try sandbox.install(units: [name: "[Service]\nExecStartPre=/bin/sh -c 'exit 4'\nExecStart=/bin/sleep infinity\n"])
            _ = try sandbox.systemctl("start", name)
            #expect(try waitUntil(10) { try show("ActiveState", name, in: sandbox) == "failed" })
            let status = try MedicBinary.status([name], in: sandbox)
            #expect(status.unit(name)?.reason == "failed: ExecStartPre=/bin/sh exit-code status=4", "\(String(describing: status.unit(name)))")
        }
    }

    @Test("on a terminal, medic heal shows how verification stands")
    func healProgress() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("progress")
            let flag = sandbox.runtimeDirectory + "/\(name).ok"
            try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
            _ = try sandbox.systemctl("start", name)
            #expect(try waitUntil(10) { try show("ActiveState", name, in: sandbox) == "failed" })
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            let quick = "name: quick\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 3s, within: 10s}\n"
            let directory = try playbooks(in: sandbox, only: [], extra: ["quick.yaml": quick])
            let heal = [MedicBinary.path, "heal", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state", "--playbooks", directory, name]
            // script(1) gives medic heal a pseudo-terminal as its standard output.
            let result = try sandbox.run(["script", "-qec", heal.map { "'\($0)'" }.joined(separator: " "), "/dev/null"])
            #expect(result.succeeded, "\(result.standardOutput)")
            #expect(result.standardOutput.contains("healthy for 1s of 3s"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("outcome: recovered"))
        }
    }

    @Test("Ctrl-C during medic heal undoes what was done and records the correction as interrupted")
    func healInterrupted() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("ctrl-c")
        // Fails once, then runs: Ctrl-C comes while verification watches it run.
        let flag = sandbox.runtimeDirectory + "/\(name).ran"
        try sandbox.install(units: [name: "[Service]\nMemoryMax=256M\nExecStart=/bin/sh -c 'test -e \(flag) || { touch \(flag); exit 1; }; exec sleep infinity'\n"])
        _ = try sandbox.systemctl("start", name)
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        let slow = "name: more-memory\ntrigger: failure\nsteps:\n  - set-property: {name: MemoryMax, value: 512M}\n  - restart\nverify: {healthy-for: 1m, within: 2m}\n"
        let directory = try playbooks(in: sandbox, only: [], extra: ["slow.yaml": slow])
        let state = sandbox.runtimeDirectory + "/state"
        let heal = try ChildProcess.spawn([MedicBinary.path, "heal", "--bus-address", sandbox.busAddress, "--state-dir", state, "--playbooks", directory, name],
                                          environment: sandbox.environment, standardOutput: .pipe, standardError: .pipe)
        let output = LineReader(fd: heal.standardOutput)
        #expect(output.waitFor(timeout: 20) { $0.hasPrefix("verifying:") } != nil, "\(output.all)")
        #expect(try show("MemoryMax", name, in: sandbox) == "536870912")
        heal.signal(SIGINT)
        #expect(heal.wait() == 130)
        #expect(output.all.contains("rollback: restore MemoryMax: undone"), "\(output.all)")
        #expect(try show("MemoryMax", name, in: sandbox) == "268435456")
        let corrections = try await MedicStore(path: state + "/medic.db").corrections(unit: name)
        #expect(corrections.map(\.state) == ["interrupted"])
    }
}
