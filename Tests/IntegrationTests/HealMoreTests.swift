import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` reaching more faults: verification that ends when the unit fails again, batch jobs,
/// and scarce correction slots shared fairly between unrelated failures.
@Suite("medic run heals more")
struct HealMoreTests {
    func directory(_ sandbox: SystemdSandbox, _ files: [String: String]) throws -> String {
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (file, text) in files { try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8) }
        return directory
    }

    func config(_ sandbox: SystemdSandbox, watch: [String]) throws -> String {
        let path = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(watch.joined(separator: ", "))]\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a verification ends at once, not verified, when the unit fails again and systemd will not restart it")
    func verificationFailsFast() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("relapse")
        // Runs for a second, then fails; Restart=no: nothing but Medic will start it again.
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 3'\n"])
        _ = try sandbox.systemctl("start", name)
        #expect(await eventually(10) { (try? show("ActiveState", name, in: sandbox)) == "failed" })
        let playbooks = try directory(sandbox, ["restart.yaml": """
            name: restart-slowly-verified
            trigger: failure
            steps: [restart]
            verify: {healthy-for: 10m, within: 1h}
            guard: {cooldown: 1h, max-attempts: 1}
            """])
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: [name]), stateDirectory: sandbox.runtimeDirectory + "/state",
                                       arguments: ["--playbooks", playbooks])
        // Within the daemon's usual 30 s, far short of the playbook's one-hour window.
        let done = await daemon.awaitLog("correction #", "of \(name) with restart-slowly-verified:")
        #expect(done?.contains("rolled-back") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(done?.contains("failed again and systemd does not restart it") == true)
        #expect(daemon.stop() == 0)
    }

    @Test("a oneshot batch job that failed is run again by the shipped playbooks, and its successful run is its recovery")
    func oneshotRecovers() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("nightly-report")
        let flag = sandbox.runtimeDirectory + "/\(name).ok"
        try sandbox.install(units: [name: "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'test -e \(flag) || exit 2'\n"])
        _ = try? sandbox.systemctl("start", name)
        #expect(await eventually(10) { (try? show("ActiveState", name, in: sandbox)) == "failed" })
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: [name]), stateDirectory: sandbox.runtimeDirectory + "/state",
                                       arguments: ["--playbooks", PlaybookCheckTests.repository + "/Playbooks"])
        let done = await daemon.awaitLog("correction #", "of \(name) with restart-failed:")
        #expect(done?.contains("recovered (the run started by the correction finished successfully") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("Result", name, in: sandbox) == "success")
    }

    @Test("ten units failing for unrelated reasons each get their first correction within 60 s")
    func tenUnitsShareSlots() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let names = (0..<10).map { uniqueUnit("unrelated-\($0)") }
        var units: [String: String] = [:]
        for name in names {
            // Fails when told to (its trigger file), then runs fine once restarted.
            let trigger = sandbox.runtimeDirectory + "/\(name).fail"
            units[name] = "[Service]\nExecStart=/bin/sh -c 'while ! test -e \(trigger); do sleep 0.2; done; rm -f \(trigger); exit 1'\n"
        }
        try sandbox.install(units: units)
        for name in names { _ = try sandbox.systemctl("start", name) }
        let daemon = try DaemonProcess(in: sandbox, config: try config(sandbox, watch: names), stateDirectory: sandbox.runtimeDirectory + "/state",
                                       arguments: ["--playbooks", PlaybookCheckTests.repository + "/Playbooks"])
        var failedAt: [String: Double] = [:]
        for name in names {
            // Apart enough not to be one burst (a shared cause), close enough to crowd the limits.
            _ = FileManager.default.createFile(atPath: sandbox.runtimeDirectory + "/\(name).fail", contents: nil)
            failedAt[name] = Date().timeIntervalSince1970
            try await Task.sleep(for: .seconds(3))
        }
        for name in names {
            let started = await daemon.awaitLog("correcting \(name) with restart-failed", timeout: 90)
            let at = try #require(started.flatMap(logTime), "\(name) was not corrected: \(daemon.log.all.joined(separator: "\n"))")
            // Log times are whole seconds: one more second of slack.
            #expect(at - failedAt[name]! < 61, "\(name) waited \(at - failedAt[name]!) s for its first correction")
        }
        #expect(daemon.stop() == 0)
    }

    /// The time stamp at the start of a daemon log line ("2026-11-29T20:41:00+0000 notice ...").
    func logTime(_ line: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        return formatter.date(from: String(line.prefix { $0 != " " }))?.timeIntervalSince1970
    }
}
