import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` under the shipped user unit through everything that used to make it go quiet, in a
/// row: the bus restarted five times, 20 reloads and 5 reexecs of the manager, five of eight units
/// failing at once; then it still heals a newly failed unit, and every decision not to act is in the
/// journal and in `medic explain`.
@Suite("Medic survives a hostile day")
struct GauntletTests {

    func journal(_ sandbox: SystemdSandbox, _ matches: [String] = []) throws -> String {
        try sandbox.run(["journalctl", "--directory", sandbox.journalDirectory, "-o", "cat"] + matches).standardOutput
    }

    @Test("bus restarts, reloads, reexecs and a mass failure, then a new failure is healed; every hold is visible")
    func hostileDay() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let workers = (1...8).map { uniqueUnit("w\($0)") }
        let late = uniqueUnit("late")
        var units: [String: String] = [:]
        for unit in workers + [late] {
            let flag = sandbox.runtimeDirectory + "/\(unit).ok"
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            units[unit] = "[Service]\nExecStart=/bin/sh -c 'test -e \(flag) || exit 3; exec sleep infinity'\n"
        }
        try sandbox.install(units: units)
        for unit in workers + [late] { _ = try sandbox.systemctl("start", unit) }
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\((workers + [late]).joined(separator: ", "))]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        let restart = "name: restart-quick\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\nguard: {cooldown: 1s}\n"
        try restart.write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let state = sandbox.runtimeDirectory + "/state"
        var unit = try String(contentsOfFile: ServiceUnitTests.repository + "/units/user/medic.service", encoding: .utf8)
        for (shipped, test) in [
            "ExecStart=%h/.local/bin/medic run --user": "ExecStart=\(MedicBinary.path) run --bus-address \(sandbox.busAddress) --config \(config) --state-dir \(state) --playbooks \(playbooks)",
            "StateDirectory=medic\n": "", "ConfigurationDirectory=medic\n": "",
        ] {
            #expect(unit.contains(shipped))
            unit = unit.replacingOccurrences(of: shipped, with: test)
        }
        try sandbox.install(units: ["medic.service": unit])
        try #require(try sandbox.systemctl("start", "medic.service").succeeded)
        #expect(try await eventually(30) { try show("StatusText", "medic.service", in: sandbox).hasPrefix("watching 9 units") })

        // The bus goes away and comes back five times.
        for _ in 0..<5 {
            try #require(try sandbox.systemctl("stop", "dbus.socket", "dbus.service").succeeded)
            try await Task.sleep(for: .milliseconds(500))
            // The bus's own start limit (5 in 10 s) is the sandbox's business, not Medic's.
            _ = try sandbox.systemctl("reset-failed", "dbus.socket", "dbus.service")
            try #require(try sandbox.systemctl("start", "dbus.socket").succeeded)
            try await Task.sleep(for: .milliseconds(1500))
        }
        // 20 reloads and 5 reexecs of the manager.
        for _ in 0..<20 { try #require(try sandbox.systemctl("daemon-reload").succeeded) }
        for _ in 0..<5 { try #require(try sandbox.systemctl("daemon-reexec").succeeded) }
        #expect(try show("ActiveState", "medic.service", in: sandbox) == "active")
        #expect(try show("NRestarts", "medic.service", in: sandbox) == "0")

        // Five of eight at once: held, and said so.
        let burst = Array(workers[0..<5])
        try #require(try sandbox.run(["systemctl", "--user", "kill", "-s", "KILL"] + burst).succeeded)
        let held = try await eventually(30) { try journal(sandbox).contains("mass-failure hold: 5 of 9 watched units began failing together") }
        #expect(held, "\((try? journal(sandbox, []))?.split(separator: "\n").filter { $0.contains("medic") }.suffix(40).joined(separator: "\n") ?? "")")
        #expect(try await eventually(30) { try show("StatusText", "medic.service", in: sandbox).contains("mass-failure hold on 5 units") })
        let explain = try MedicBinary.run(["explain", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state, "--playbooks", playbooks, burst[0]])
        #expect(explain.standardOutput.contains("): held: 5 of 9 watched units began failing together"), "\(explain.standardOutput)\(explain.standardError)")
        #expect(try await eventually(30) { try journal(sandbox, ["MEDIC_UNIT=\(burst[0])"]).contains("not correcting \(burst[0]) (failed): 5 of 9") })

        // A new, independent failure is healed within its playbook's time.
        try await Task.sleep(for: .seconds(3))
        let store = try MedicStore(path: state + "/medic.db")
        kill(try sandbox.mainPID(of: late), SIGKILL)
        let failedAt = Date()
        var healed = false
        while !healed && Date().timeIntervalSince(failedAt) < 2 + 10 + 5 {
            healed = try await store.corrections(unit: late).first?.state == "recovered"
            if !healed { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healed, "\((try? journal(sandbox, []))?.split(separator: "\n").filter { $0.contains("medic") }.suffix(40).joined(separator: "\n") ?? "")")
        #expect(try show("SubState", late, in: sandbox) == "running")
        for unit in burst { #expect(try await store.corrections(unit: unit).isEmpty, "\(unit) was held, never corrected") }
        _ = try sandbox.systemctl("stop", "medic.service")
        #expect(try show("Result", "medic.service", in: sandbox) == "success")
    }
}
