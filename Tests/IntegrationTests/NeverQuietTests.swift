import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` and `medic watch` do not stop supervising without saying so: corrections survive the
/// bus restarting, verification ends on time, reloads and reexecs of the manager are not mistaken for
/// changes, and corrections left open on units Medic no longer watches do not block the others.
@Suite("Medic never goes quiet")
struct NeverQuietTests {
    static let restartQuick = """
        name: restart-quick
        trigger: failure
        match: {health: failed}
        steps: [restart]
        verify: {healthy-for: 1s, within: 10s}
        guard: {cooldown: 1s, max-attempts: 5, window: 1h, backoff: {initial: 1s, max: 2s}}
        """

    func files(_ sandbox: SystemdSandbox, watch: [String], playbooks: [String: String], extra: String = "") throws -> (config: String, playbooks: String, state: String) {
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try ("watch: [\(watch.joined(separator: ", "))]\n" + extra).write(toFile: config, atomically: true, encoding: .utf8)
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in playbooks { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        return (config, directory, sandbox.runtimeDirectory + "/state")
    }

    /// A service that runs while its flag file exists and fails with status 3 otherwise.
    func flagged(_ name: String, in sandbox: SystemdSandbox) throws -> String {
        let flag = sandbox.runtimeDirectory + "/\(name).ok"
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"])
        return flag
    }

    func restartBus(_ sandbox: SystemdSandbox, downFor seconds: Double) async throws {
        // systemctl reaches the manager over its private socket, so it works without the bus.
        try #require(try sandbox.systemctl("stop", "dbus.socket", "dbus.service").succeeded)
        try await Task.sleep(for: .seconds(seconds))
        try #require(try sandbox.systemctl("start", "dbus.socket").succeeded)
    }

    @Test("after the bus restarted, a new failure is still corrected (the connection used for actions is opened again)")
    func correctsAfterBusRestart() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("after-bus")
        let flag = try flagged(name, in: sandbox)
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        _ = try sandbox.systemctl("start", name)
        let paths = try files(sandbox, watch: [name], playbooks: ["restart.yaml": Self.restartQuick])
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        // A first correction opens the connection used for actions.
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(await daemon.awaitLog("correction #", "of \(name)", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        try await restartBus(sandbox, downFor: 3)
        #expect(await eventually(30) { daemon.log.all.filter { $0.contains("watching 1 units") }.count >= 2 }, "\(daemon.log.all.joined(separator: "\n"))")
        kill(try sandbox.mainPID(of: name), SIGKILL)
        let corrected = await eventually(30) { daemon.log.all.filter { $0.contains("correction #") && $0.contains("of \(name)") && $0.contains("recovered") }.count >= 2 }
        #expect(corrected, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(!daemon.log.all.contains { $0.contains("not connected") }, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("SubState", name, in: sandbox) == "running")
    }

    @Test("verification ends by its deadline when the bus dies during it, and the attempt is an interruption, not a failure")
    func verificationOnTime() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("verify-bus")
        let flag = try flagged(name, in: sandbox)
        _ = try sandbox.systemctl("start", name)
        #expect(try await eventually(10) { try show("ActiveState", name, in: sandbox) == "failed" })
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let long = "name: long-verify\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 90s, within: 90s}\nguard: {cooldown: 1h}\n"
        let paths = try files(sandbox, watch: [name], playbooks: ["long.yaml": long])
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        #expect(await daemon.awaitLog("correcting \(name) with long-verify") != nil)
        // The bus goes away as the correction begins and stays away for longer than the verification
        // may take (90 s, so that a slow machine cannot finish it first): it must end anyway, by its deadline.
        try #require(try sandbox.systemctl("stop", "dbus.socket", "dbus.service").succeeded)
        let closed = await daemon.awaitLog("correction #", "of \(name) with long-verify:", timeout: 180)
        _ = try sandbox.systemctl("start", "dbus.socket")
        #expect(daemon.stop() == 0)
        #expect(closed?.contains("interrupted") == true, "\(daemon.log.all.joined(separator: "\n"))")
        let store = try MedicStore(path: paths.state + "/medic.db")
        let correction = try #require(try await store.corrections(unit: name).first)
        let steps = try await store.steps(of: correction.id)
        let verificationStarted = try #require(steps.last?.endedAt)
        let ended = try #require(correction.endedAt)
        #expect(ended - verificationStarted <= 90 + 1.5, "verification took \(ended - verificationStarted) s")
        #expect(correction.state == "interrupted")
        // An interruption teaches nothing about the playbook.
        let stats = try MedicBinary.run(["stats", "--json", "--config", paths.config, "--state-dir", paths.state])
        #expect(!stats.standardOutput.contains("\"attempts\":1"), "\(stats.standardOutput)")
    }

    @Test("20 daemon-reloads and 5 daemon-reexecs report nothing for units that did not change; a kill during a reexec is reported once")
    func reloadsAreNotChanges() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let steady = (0..<3).map { uniqueUnit("steady-\($0)") }
        let flapper = uniqueUnit("flapper")
        try sandbox.install(units: [flapper: "[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=always\nRestartSec=200ms\nExecStart=/bin/sh -c 'sleep 0.7; exit 1'\n"])
        for unit in steady { try sandbox.runService(unit, ["/bin/sleep", "infinity"]) }
        _ = try sandbox.systemctl("start", flapper)
        let watch = try WatchProcess(steady + [flapper], in: sandbox)
        let before = watch.transitions.count
        for _ in 0..<20 { try #require(try sandbox.systemctl("daemon-reload").succeeded) }
        for _ in 0..<5 { try #require(try sandbox.systemctl("daemon-reexec").succeeded) }
        try await Task.sleep(for: .seconds(2))
        let spurious = watch.transitions.dropFirst(before).filter { steady.contains($0.unit) }
        #expect(spurious.isEmpty, "\(spurious.map { "\($0.unit): \($0.from ?? "new") -> \($0.to)" })")

        // A kill while the manager re-executes: reported exactly once when it is back.
        let victim = steady[0]
        let pid = try sandbox.mainPID(of: victim)
        let reexec = Thread { _ = try? sandbox.systemctl("daemon-reexec") }
        reexec.start()
        kill(pid, SIGKILL)
        #expect(watch.waitForTransition(unit: victim, to: "failed", timeout: 15) != nil)
        try await Task.sleep(for: .seconds(3))
        let failures = watch.transitions.filter { $0.unit == victim && $0.to == "failed" }
        #expect(failures.count == 1, "\(failures.map { "\($0.from ?? "new") -> \($0.to): \($0.reason)" })")
        #expect(watch.transitions.filter { steady.dropFirst().contains($0.unit) }.dropFirst(0).allSatisfy { $0.from == nil })
    }

    @Test("a correction a crash left open on a unit no longer watched is resolved at start and blocks no slot")
    func openCorrectionOfUnwatchedUnit() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let old = uniqueUnit("left-behind"), fresh = uniqueUnit("needs-help")
        let oldFlag = try flagged(old, in: sandbox)
        let freshFlag = try flagged(fresh, in: sandbox)
        _ = try sandbox.systemctl("start", old)
        #expect(try await eventually(10) { try show("ActiveState", old, in: sandbox) == "failed" })
        let slow = "name: slow-fix\ntrigger: failure\nsteps: [{wait: 10m}, restart]\nverify: {healthy-for: 1s, within: 10s}\n"
        var paths = try files(sandbox, watch: [old], playbooks: ["slow.yaml": slow], extra: "corrections: {max-concurrent: 1}\n")
        var daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        #expect(await daemon.awaitLog("correcting \(old) with slow-fix") != nil)
        let store = try MedicStore(path: paths.state + "/medic.db")
        var open: [StoredCorrection] = []
        for _ in 0..<400 where open.isEmpty {
            open = try await store.corrections(unit: old, openOnly: true)
            if open.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(open.count == 1, "the intent is on record before the first step: \(daemon.log.all.joined(separator: "\n"))")
        daemon.child.signal(SIGKILL)
        daemon.child.wait()

        // The configuration changes: the old unit is no longer watched, a new one fails.
        _ = FileManager.default.createFile(atPath: oldFlag, contents: nil)
        _ = try sandbox.systemctl("start", fresh)
        #expect(try await eventually(10) { try show("ActiveState", fresh, in: sandbox) == "failed" })
        _ = FileManager.default.createFile(atPath: freshFlag, contents: nil)
        paths = try files(sandbox, watch: [fresh], playbooks: ["slow.yaml": slow, "restart.yaml": Self.restartQuick], extra: "corrections: {max-concurrent: 1}\n")
        daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        let resolved = await daemon.awaitLog("interrupted correction #", "of \(old)", timeout: 20)
        #expect(resolved != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(await daemon.awaitLog("correction #", "of \(fresh) with restart-quick:", timeout: 30)?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try await store.corrections(openOnly: true).isEmpty)
    }

    @Test("5 of 8 units killed together are held whole and alerted once; protected failures never count; independent failures and the stragglers after the hold are corrected")
    func massFailureHold() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let workers = (1...8).map { uniqueUnit("worker-\($0)") }
        let guarded = (1...2).map { uniqueUnit("guarded-\($0)") }
        for unit in workers {
            _ = FileManager.default.createFile(atPath: try flagged(unit, in: sandbox), contents: nil)
            _ = try sandbox.systemctl("start", unit)
        }
        try sandbox.install(units: Dictionary(uniqueKeysWithValues: guarded.map { ($0, "[Service]\nExecStart=/bin/sh -c 'exit 3'\n") }))
        for unit in guarded { _ = try sandbox.systemctl("start", unit) }
        let notified = sandbox.runtimeDirectory + "/notified"
        let escalate = "name: escalate\ntrigger: exhausted\nsteps:\n  - notify: {argv: [/bin/sh, -c, \"echo $MEDIC_UNIT >> \(notified)\"]}\nguard: {cooldown: 1h}\n"
        let paths = try files(sandbox, watch: workers + guarded, playbooks: ["restart.yaml": Self.restartQuick, "escalate.yaml": escalate],
                              extra: "corrections: {protect: [\(guarded.joined(separator: ", "))], max-concurrent: 5, max-per-minute: 30}\n")
        let monitor = try BusJobMonitor(sandbox)
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        func recovered(_ unit: String, count: Int = 1) async -> Bool {
            await eventually(30) { daemon.log.all.filter { $0.contains("correction #") && $0.contains("of \(unit) with restart-quick") && $0.contains("recovered") }.count >= count }
        }

        // One real failure while two protected units are failing: corrected.
        kill(try sandbox.mainPID(of: workers[7]), SIGKILL)
        #expect(await recovered(workers[7]), "\(daemon.log.all.joined(separator: "\n"))")

        // Five at once: held whole, alerted once, nothing sent to systemd for them.
        let burst = Array(workers[0..<5])
        try #require(try sandbox.run(["systemctl", "--user", "kill", "-s", "KILL"] + burst).succeeded)
        let warning = await daemon.awaitLog("mass-failure hold:", timeout: 20)
        #expect(warning?.contains("5 of 8 watched units began failing together") == true, "\(daemon.log.all.joined(separator: "\n"))")
        for unit in burst { #expect(warning?.contains(unit) == true) }
        try await Task.sleep(for: .seconds(5))
        for unit in burst { #expect(monitor.calls(on: unit).isEmpty, "\(unit): \(monitor.calls(on: unit))") }
        #expect(daemon.log.all.contains { $0.contains("not correcting \(burst[0])") && $0.contains("began failing together") })
        let lines = (try? String(contentsOfFile: notified, encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(lines.count == 1, "\(lines)")
        #expect(Set(lines.first?.split(separator: " ").map(String.init) ?? []) == Set(burst))
        // The hold is visible where an operator looks: medic status and medic explain read the daemon's own state.
        let status = try MedicBinary.run(["status", "--bus-address", sandbox.busAddress, "--config", paths.config, "--state-dir", paths.state] + workers, in: sandbox)
        #expect(status.standardOutput.contains("medic run: running (pid \(daemon.child.pid)"), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("mass-failure hold since"), "\(status.standardOutput)")
        let explain = try MedicBinary.run(["explain", "--bus-address", sandbox.busAddress, "--config", paths.config, "--state-dir", paths.state,
                                           "--playbooks", paths.playbooks, burst[0]], in: sandbox)
        #expect(explain.standardOutput.contains("medic run (pid \(daemon.child.pid)): held: 5 of 8 watched units began failing together"), "\(explain.standardOutput)")

        // A later, independent failure is corrected as usual.
        kill(try sandbox.mainPID(of: workers[5]), SIGKILL)
        #expect(await recovered(workers[5]), "\(daemon.log.all.joined(separator: "\n"))")

        // A person brings three back: the hold ends and the two still failing are corrected.
        try #require(try sandbox.systemctl("start", burst[0], burst[1], burst[2]).succeeded)
        #expect(await daemon.awaitLog("mass-failure hold ended", timeout: 20) != nil, "\(daemon.log.all.joined(separator: "\n"))")
        let fourth = await recovered(burst[3]), fifth = await recovered(burst[4])
        let stragglers = fourth && fifth
        #expect(stragglers, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        for unit in guarded { #expect(monitor.calls(on: unit).isEmpty) }
    }
}
