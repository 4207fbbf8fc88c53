import Foundation
import MedicCore
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// Active probes against services on a sandboxed manager, serving on loopback: a service that runs
/// but does not serve is found, counted as bad time, restarted and verified by its probe; one that
/// recovers on its own, or is stopped, is left alone (proved with an independent bus listener).
@Suite("Active probes")
struct ProbeTests {
    struct Service {
        var unit: String
        var port: Int
        var breakFlag: String
        var socket: String
        var config: String
        var state: String
        var playbooks: String
    }

    /// A python web service as a unit, medic.yaml probing it every second, and the shipped probe
    /// playbook with a short verification.
    func setUp(_ sandbox: SystemdSandbox, _ base: String, failureThreshold: Int = 2) async throws -> Service {
        let unit = uniqueUnit(base)
        let port = try freePort()
        let script = sandbox.runtimeDirectory + "/web.py"
        try ProbeServers.web.write(toFile: script, atomically: true, encoding: .utf8)
        let flag = sandbox.runtimeDirectory + "/\(unit).break"
        let socket = sandbox.runtimeDirectory + "/\(unit).sock"
        try sandbox.install(units: [unit: "[Service]\nExecStart=/usr/bin/python3 \(script) \(port) \(flag) \(socket)\n"])
        _ = try sandbox.systemctl("start", unit)
        #expect(await ProbeServers.awaitPort(port), "the service listens")
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try """
            watch: [\(unit)]
            probes:
              - unit: \(unit)
                http: {url: "http://127.0.0.1:\(port)/healthz", body-contains: ok}
                interval: 1s
                timeout: 1s
                failure-threshold: \(failureThreshold)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Playbooks/restart-probe-failing.yaml").path
        let playbook = try String(contentsOfFile: shipped, encoding: .utf8)
            .replacingOccurrences(of: "healthy-for: 30s", with: "healthy-for: 2s")
            .replacingOccurrences(of: "within: 3m", with: "within: 30s")
        try playbook.write(toFile: playbooks + "/restart-probe-failing.yaml", atomically: true, encoding: .utf8)
        return Service(unit: unit, port: port, breakFlag: flag, socket: socket, config: config, state: sandbox.runtimeDirectory + "/state", playbooks: playbooks)
    }

    @Test("a hung service (SIGSTOP) is degraded with cause probe, its time is bad, and the probe playbook restarts it and is verified by the probe passing")
    func hungServiceIsHealed() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let service = try await setUp(sandbox, "probe-hang")
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        let daemon = try DaemonProcess(in: sandbox, config: service.config, stateDirectory: service.state, arguments: ["--playbooks", service.playbooks])
        #expect(await daemon.awaitLog("\(service.unit): probe passing") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        let hung = try sandbox.mainPID(of: service.unit)
        kill(hung, SIGSTOP)
        let degraded = await daemon.awaitLog("\(service.unit): healthy -> degraded", "probe http GET")
        #expect(degraded?.contains("timeout after 1s") == true, "\(daemon.log.all.joined(separator: "\n"))")
        let done = await daemon.awaitLog("correction #", "of \(service.unit) with restart-probe-failing:", timeout: 60)
        #expect(done?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try sandbox.mainPID(of: service.unit) != hung, "restarted")
        #expect(monitor.calls(on: service.unit).map(\.member) == ["RestartUnit"], "one restart, nothing else: \(monitor.calls(on: service.unit))")

        let store = try MedicStore(path: service.state + "/medic.db")
        let rows = try await store.observations(of: service.unit, from: 0)
        let probeRow = try #require(rows.first { $0.cause == "probe" }, "\(rows)")
        #expect(probeRow.observation.health == .degraded && probeRow.reason.contains("timeout after 1s"))
        #expect(AvailabilityPolicy().availability(of: probeRow.observation) == .bad, "probe-failing time is bad time")
        #expect(rows.last?.observation.health == .healthy)
        let correction = try #require(try await store.corrections(unit: service.unit).first)
        #expect(correction.state == "recovered")
    }

    @Test("a service that serves again before the threshold, a 503 answered once, and a stopped service are left alone; medic probe reports each kind")
    func leftAlone() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let service = try await setUp(sandbox, "probe-blip", failureThreshold: 4)
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        let daemon = try DaemonProcess(in: sandbox, config: service.config, stateDirectory: service.state, arguments: ["--playbooks", service.playbooks])
        #expect(await daemon.awaitLog("\(service.unit): probe passing") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        let pid = try sandbox.mainPID(of: service.unit)
        // One or two probes time out, then it serves again: fewer failures in a row than the threshold.
        try await ProbeServers.pause(pid, for: 1.5)
        try await Task.sleep(for: .seconds(4))
        #expect(!daemon.log.all.contains { $0.contains("\(service.unit): probe failing") }, "\(daemon.log.all.joined(separator: "\n"))")

        // Stopped: the probe pauses; nothing fails, nothing is started.
        _ = try sandbox.systemctl("stop", service.unit)
        try await Task.sleep(for: .seconds(4))
        #expect(daemon.stop() == 0)
        #expect(!daemon.log.all.contains { $0.contains("probe failing") || $0.contains("correction #") }, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(monitor.calls(on: service.unit).isEmpty, "Medic did nothing to it: \(monitor.calls(on: service.unit))")
        #expect(try sandbox.systemctl("show", "-P", "ActiveState", service.unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "inactive")

        // medic probe runs every kind once: the stopped service's endpoints now fail.
        let closed = try freePort()
        let failing = try probeEveryKind(service, tcpPort: closed, exec: "[/bin/sh, -c, \"exit 3\"]", in: sandbox)
        #expect(failing.status == 1, "\(failing.standardOutput)\(failing.standardError)")
        let lines = failing.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("FAIL  http GET http://127.0.0.1:\(service.port)/: connection refused"), "\(lines)")
        #expect(lines[1].hasPrefix("FAIL  tcp 127.0.0.1:\(closed): connection refused"), "\(lines)")
        #expect(lines[2].hasPrefix("FAIL  unix \(service.socket): connection refused"), "\(lines)")
        #expect(lines[3].hasPrefix("FAIL  exec /bin/sh: /bin/sh exited with status 3"), "\(lines)")

        _ = try sandbox.systemctl("start", service.unit)
        #expect(await ProbeServers.awaitPort(service.port))
        #expect(await eventually(30) { FileManager.default.fileExists(atPath: service.socket) })
        let passing = try probeEveryKind(service, tcpPort: service.port, exec: "[/bin/true]", in: sandbox)
        #expect(passing.status == 0, "\(passing.standardOutput)\(passing.standardError)")
        let passed = passing.standardOutput.split(separator: "\n")
        #expect(passed.count == 4 && passed.allSatisfy { $0.hasPrefix("pass  ") }, "\(passing.standardOutput)")
    }

    /// `medic probe` of the service with one probe of each kind: its HTTP port, `tcpPort`, its
    /// socket and the `exec` argument list.
    func probeEveryKind(_ service: Service, tcpPort: Int, exec: String, in sandbox: SystemdSandbox) throws -> CommandResult {
        try """
            probes:
              - {unit: \(service.unit), http: "http://127.0.0.1:\(service.port)/"}
              - {unit: \(service.unit), tcp: "127.0.0.1:\(tcpPort)"}
              - {unit: \(service.unit), unix: \(service.socket)}
              - {unit: \(service.unit), exec: \(exec)}
            """.write(toFile: service.config, atomically: true, encoding: .utf8)
        return try MedicBinary.run(["probe", "--config", service.config, service.unit], in: sandbox)
    }

    @Test("a service wedged into answering 503 is degraded and restarted; with probe-failure-is: failed it is failed")
    func errorAnswers() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let service = try await setUp(sandbox, "probe-503")
        try (try String(contentsOfFile: service.config, encoding: .utf8) + "\n    probe-failure-is: failed\n").write(toFile: service.config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: service.config, stateDirectory: service.state, arguments: ["--playbooks", service.playbooks])
        #expect(await daemon.awaitLog("\(service.unit): probe passing") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // status and explain read the running daemon's probe state (written on its heartbeat).
        let options = ["--bus-address", sandbox.busAddress, "--config", service.config, "--state-dir", service.state, service.unit]
        #expect(await eventually(30) { ((try? MedicBinary.run(["status"] + options, in: sandbox))?.standardOutput ?? "").contains("running; probe passing") })
        let json = try MedicBinary.run(["status", "--json"] + options, in: sandbox).standardOutput
        #expect(json.contains("\"lastResult\" : \"status 200\"") && json.contains("\"status\" : \"passing\""), "\(json)")
        let explain = try MedicBinary.run(["explain"] + options, in: sandbox)
        #expect(explain.standardOutput.contains("probe: passing (http GET http://127.0.0.1:\(service.port)/healthz: status 200)"), "\(explain.standardOutput)\(explain.standardError)")
        _ = FileManager.default.createFile(atPath: service.breakFlag, contents: nil)
        let failed = await daemon.awaitLog("\(service.unit): healthy -> failed", "probe http GET")
        #expect(failed?.contains("status 503") == true, "\(daemon.log.all.joined(separator: "\n"))")
        let done = await daemon.awaitLog("correction #", "of \(service.unit) with restart-probe-failing:", timeout: 60)
        #expect(done?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
    }

    @Test("three services whose probes fail together (a shared cause) are held, alerted and not restarted")
    func sharedCauseIsHeld() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        // The playbooks and paths of a one-service setup; medic.yaml is written anew for three.
        let service = try await setUp(sandbox, "probe-unused")
        let script = sandbox.runtimeDirectory + "/web.py"
        var units: [(name: String, port: Int)] = []
        for _ in 0..<3 {
            let unit = uniqueUnit("probe-mass")
            let port = try freePort()
            try sandbox.install(units: [unit: "[Service]\nExecStart=/usr/bin/python3 \(script) \(port) \(sandbox.runtimeDirectory)/\(unit).break\n"])
            _ = try sandbox.systemctl("start", unit)
            #expect(await ProbeServers.awaitPort(port))
            units.append((unit, port))
        }
        try ("watch: [\(units.map(\.name).joined(separator: ", "))]\nprobes:\n" + units.map {
            "  - {unit: \($0.name), http: \"http://127.0.0.1:\($0.port)/\", interval: 1s, timeout: 1s, failure-threshold: 2}\n"
        }.joined()).write(toFile: service.config, atomically: true, encoding: .utf8)
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        let daemon = try DaemonProcess(in: sandbox, config: service.config, stateDirectory: service.state, arguments: ["--playbooks", service.playbooks])
        for unit in units { #expect(await daemon.awaitLog("\(unit.name): probe passing") != nil, "\(daemon.log.all.joined(separator: "\n"))") }
        // medic watch shows what the daemon's probes say, read from its state directory.
        let watch = try WatchProcess([units[0].name], in: sandbox, format: ["--json", "--state-dir", service.state])
        defer { watch.stop() }
        let pids = try units.map { try sandbox.mainPID(of: $0.name) }
        for pid in pids { kill(pid, SIGSTOP) }
        let hold = await daemon.awaitLog("mass-failure hold:", "3 of 3 watched units began failing together", timeout: 30)
        #expect(hold != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(await eventually(60) { watch.output.all.contains { $0.contains(units[0].name) && $0.contains("\"to\":\"degraded\"") && $0.contains("probe http GET") } },
                "\(watch.output.all)")
        try await Task.sleep(for: .seconds(3))
        #expect(daemon.stop() == 0)
        for pid in pids { kill(pid, SIGCONT) }
        for unit in units { #expect(monitor.calls(on: unit.name).isEmpty, "held, never restarted: \(monitor.calls(on: unit.name))") }
        #expect(zip(units, pids).allSatisfy { (try? sandbox.mainPID(of: $0.0.name)) == $0.1 })
    }

    @Test("SIGTERM while probes hang (an endpoint that never answers, a program that sleeps): medic run exits 0 at once and leaves no probe behind")
    func shutdownWithProbesInFlight() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let service = try await setUp(sandbox, "probe-stop")
        let server = try HostileServer()
        defer { server.stop() }
        let marker = "29.\(Int.random(in: 100...999))"
        try """
            watch: [\(service.unit)]
            probes:
              - {unit: \(service.unit), http: "\(server.url)/silent", interval: 20s, timeout: 20s}
              - {unit: \(service.unit), exec: [/bin/sleep, "\(marker)"], interval: 20s, timeout: 20s}
            """.write(toFile: service.config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: service.config, stateDirectory: service.state, arguments: ["--playbooks", service.playbooks])
        // The first probes come within 10 s (jittered) and then hang for their 20 s.
        #expect(await eventually(60) { (try? Command.run(["pgrep", "-f", "sleep \(marker)"]))?.succeeded == true }, "the exec probe is under way")
        let stopped = Date()
        #expect(daemon.stop() == 0)
        let took = Date().timeIntervalSince(stopped)
        #expect(took < 10, "took \(took) s: not the probes' 20 s timeouts")
        #expect(await eventually(10) { (try? Command.run(["pgrep", "-f", "sleep \(marker)"]))?.succeeded == false }, "the probe's program was ended with medic run")
    }
}
