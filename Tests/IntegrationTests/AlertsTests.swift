import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` sending its alerts to a real Alertmanager on loopback.
@Suite("medic run's alerts in Alertmanager")
struct AlertsTests {
    /// The alerts Alertmanager holds for `unit`, with their labels, annotations and state.
    func alerts(_ alertmanager: LoopbackServer, unit: String) async -> [[String: Any]] {
        let all = await HTTP.json(alertmanager.url + "/api/v2/alerts") as? [[String: Any]] ?? []
        return all.filter { (($0["labels"] as? [String: String])?["unit"]) == unit }
    }

    @Test("a breached budget reaches Alertmanager within an evaluation and ends when the budget clears; with Alertmanager gone Medic heals on and says so once")
    func breachedBudget() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let alertmanager = try await LoopbackServer.alertmanager()
        defer { alertmanager.stop() }
        let unit = uniqueUnit("alerted")
        try sandbox.runService(unit, ["/bin/sleep", "infinity"])
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        // Slow on purpose: the unit stays down long enough to breach its budget.
        try """
            name: restart-after-a-while
            trigger: failure
            steps: [{wait: 8s}, restart]
            verify: {healthy-for: 2s, within: 30s}
            guard: {cooldown: 1s, max-attempts: 10, backoff: {initial: 1s, max: 2s, reset-after: 10m}}
            """.write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        let port = try freePort()
        try """
            watch: [\(unit)]
            http: {listen: "127.0.0.1:\(port)"}
            slo:
              objective: 90
              window: 10m
              burn-rate-alerts:
                - {severity: page, long: 30s, short: 5s, threshold: 2}
            alerts: {alertmanager: ["\(alertmanager.url)"], resend: 2s, host: test-host}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: sandbox.runtimeDirectory + "/state", arguments: ["--playbooks", playbooks])
        try await Task.sleep(for: .seconds(3))

        kill(try sandbox.mainPID(of: unit), SIGKILL)
        // From ok, or (when the first evaluation after start already sees the failure) at start.
        #expect(await daemon.awaitLog(unit, "error budget", "breached", "(P1)") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // Within one evaluation (5 s) and the sender's interval (2 s).
        var found: [String: Any]?
        #expect(await eventually(8) {
            found = await alerts(alertmanager, unit: unit).first
            return found != nil
        })
        let labels = found?["labels"] as? [String: String] ?? [:]
        #expect(labels["alertname"] == "MedicErrorBudgetBurn")
        #expect(labels["severity"] == "page")
        #expect(labels["host"] == "test-host")
        #expect(labels["slo"] == "availability 90% / 10m")
        let annotations = found?["annotations"] as? [String: String] ?? [:]
        #expect(annotations["explain"] == "medic explain \(unit)")
        #expect(annotations["level"] == "P1")
        #expect(annotations["burn_rates"]?.contains("5s=") == true)
        #expect((found?["status"] as? [String: Any])?["state"] as? String == "active")

        // Healed by the playbook; once the short window has passed the budget clears and the alert ends.
        #expect(await daemon.awaitLog("of \(unit) with restart-after-a-while: recovered", timeout: 40) != nil)
        // The correction is counted, with its duration (the playbook waits 8 s before its restart).
        let metrics = MetricsText(await HTTP.get("http://127.0.0.1:\(port)/metrics")?.body ?? "")
        #expect(metrics.value("medic_corrections_total", ["playbook": "restart-after-a-while", "outcome": "recovered"]) == 1)
        #expect(metrics.value("medic_correction_duration_seconds_count", ["playbook": "restart-after-a-while"]) == 1)
        #expect((metrics.value("medic_correction_duration_seconds_sum", ["playbook": "restart-after-a-while"]) ?? 0) >= 8)
        #expect(await daemon.awaitLog(unit, "error budget breached -> ok", timeout: 30) != nil)
        #expect(await eventually(10) { await alerts(alertmanager, unit: unit).allSatisfy { ($0["status"] as? [String: Any])?["state"] as? String != "active" } })

        // Alertmanager gone: the next breach cannot be delivered, which is said once, and healing goes on.
        alertmanager.stop()
        kill(try sandbox.mainPID(of: unit), SIGKILL)
        #expect(await eventually(30) {
            daemon.log.all.filter { $0.contains("\(unit): error budget") && ($0.contains("-> breached") || $0.contains("breached at start")) }.count == 2
        })
        #expect(await daemon.awaitLog("cannot deliver alerts to \(alertmanager.url)") != nil)
        let healed = await eventually(60) {
            daemon.log.all.filter { $0.contains("of \(unit) with restart-after-a-while: recovered") }.count == 2
        }
        #expect(healed, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.log.all.filter { $0.contains("cannot deliver alerts") }.count == 1)
        #expect(daemon.stop() == 0)
    }
}
