import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run`'s metrics on a real sandboxed manager: the endpoint and the textfile say what
/// `medic status --json` and `medic slo --json` say, and a real Prometheus scrapes them and fires
/// the shipped rules.
@Suite("medic run's metrics, scraped")
struct MetricsTests {
    static let rules = PlaybookCheckTests.repository + "/contrib/prometheus/medic-rules.yml"

    func configure(_ sandbox: SystemdSandbox, _ text: String) throws -> String {
        let path = sandbox.runtimeDirectory + "/medic.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func scrape(_ port: Int) async -> MetricsText? {
        guard let (status, body) = await HTTP.get("http://127.0.0.1:\(port)/metrics"), status == 200 else { return nil }
        return MetricsText(body)
    }

    @Test("/metrics and the textfile equal medic status --json and medic slo --json at the same moment")
    func metricsMatchStatusAndSLO() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let steady = uniqueUnit("metrics-steady"), flaky = uniqueUnit("metrics-flaky")
        for unit in [steady, flaky] { try sandbox.runService(unit, ["/bin/sleep", "infinity"]) }
        let port = try freePort()
        let textfile = sandbox.runtimeDirectory + "/medic.prom"
        let state = sandbox.runtimeDirectory + "/state"
        let config = try configure(sandbox, """
            watch: [\(steady), \(flaky)]
            http: {listen: "127.0.0.1:\(port)"}
            metrics: {textfile: \(textfile), interval: 1s}
            slo:
              objective: 90
              window: 10m
              burn-rate-alerts:
                - {severity: page, long: 1m, short: 10s, threshold: 2}
            """)
        // With the hardened unit's umask: the textfile must still be readable by node_exporter.
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: state, launcher: ["/bin/sh", "-c", "umask 077; exec \"$@\"", "sh"])
        #expect(await daemon.awaitLog("serving metrics on http://127.0.0.1:\(port)/metrics") != nil)

        kill(try sandbox.mainPID(of: flaky), SIGKILL)
        #expect(await daemon.awaitLog(flaky, "-> failed") != nil)
        let failing = try #require(await scrape(port))
        #expect(failing.value("medic_unit_health", ["unit": flaky, "health": "failed"]) == 1)
        #expect(failing.value("medic_unit_health", ["unit": flaky, "health": "healthy"]) == 0)
        #expect(failing.value("medic_unit_health", ["unit": steady, "health": "healthy"]) == 1)
        let badThen = try #require(failing.value("medic_unit_bad_seconds_total", ["unit": flaky]))
        try await Task.sleep(for: .seconds(2))
        let badLater = try #require(await scrape(port)?.value("medic_unit_bad_seconds_total", ["unit": flaky]))
        #expect(badLater >= badThen + 1.5, "bad seconds \(badThen) then \(badLater)")

        // Back up: from the next evaluation on, the figures stand still but for the passing time.
        _ = try sandbox.systemctl("start", flaky)
        #expect(await daemon.awaitLog(flaky, "-> healthy") != nil)
        let recovered = Date().timeIntervalSince1970
        var metrics = try #require(await scrape(port))
        #expect(await eventually(20) {
            metrics = await scrape(port) ?? metrics
            return (metrics.value("medic_slo_last_evaluation_timestamp_seconds") ?? 0) > recovered + 1
        })
        let evaluatedAt = try #require(metrics.value("medic_slo_last_evaluation_timestamp_seconds"))
        let slo = try MedicBinary.run(["slo", "--json", "--config", config, "--state-dir", state, "--at", "@\(evaluatedAt)"])
        let document = try JSONDecoder().decode(SLODocument.self, from: Data(slo.standardOutput.utf8))
        let status = try MedicBinary.status([steady, flaky], in: sandbox)
        for unit in [steady, flaky] {
            let report = try #require(document.unit(unit))
            let shown = try #require(status.units.first { $0.unit == unit })
            #expect(metrics.value("medic_unit_health", ["unit": unit, "health": shown.health]) == 1, "\(unit) is \(shown.health) in status")
            #expect(metrics.samples.filter { $0.name == "medic_unit_health" && $0.labels["unit"] == unit }.map(\.value).reduce(0, +) == 1)
            #expect(metrics.value("medic_unit_restarts_total", ["unit": unit]) == Double(shown.restarts ?? 0))
            #expect(metrics.value("medic_slo_objective_ratio", ["unit": unit]) == report.objective)
            #expect(metrics.value("medic_slo_error_budget_remaining_ratio", ["unit": unit]).map { abs($0 - report.remainingPercent / 100) < 1e-9 } == true,
                    "\(unit): remaining \(String(describing: metrics.value("medic_slo_error_budget_remaining_ratio", ["unit": unit]))) vs slo \(report.remainingPercent)")
            #expect(metrics.value("medic_slo_alert_level", ["unit": unit]) == Double(report.alertLevel.dropFirst()))
            for (window, rate) in report.burnRates {
                let exported = metrics.value("medic_slo_burn_rate", ["unit": unit, "window": window])
                if let rate {
                    #expect(exported.map { abs($0 - rate) < 1e-9 } == true, "\(unit) \(window): \(String(describing: exported)) vs \(rate)")
                } else {
                    #expect(exported == nil, "\(unit) \(window): no data, yet exported \(String(describing: exported))")
                }
            }
        }
        // The counters are kept from the same observations as the timeline: the same bad time.
        let flakyReport = try #require(document.unit(flaky))
        #expect(flakyReport.badSeconds > 1.5)
        let badCounted = try #require(metrics.value("medic_unit_bad_seconds_total", ["unit": flaky]))
        #expect(abs(badCounted - flakyReport.badSeconds) < 0.01, "counter \(badCounted) vs slo \(flakyReport.badSeconds)")
        #expect(metrics.value("medic_watched_units") == 2)
        #expect(metrics.value("medic_up") == 1)
        #expect(metrics.value("medic_build_info") == 1)
        #expect((metrics.value("medic_bus_events_total") ?? 0) > 0)

        // The textfile says the same (from its next write on), and a clean stop leaves medic_up 0 in it.
        var file = MetricsText("")
        #expect(await eventually(5) {
            file = MetricsText((try? String(contentsOfFile: textfile, encoding: .utf8)) ?? "")
            return (file.value("medic_slo_last_evaluation_timestamp_seconds") ?? 0) >= evaluatedAt
        })
        #expect(file.value("medic_unit_health", ["unit": flaky, "health": "healthy"]) == 1)
        let mode = (try FileManager.default.attributesOfItem(atPath: textfile)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o644, "textfile mode \(String(mode ?? 0, radix: 8))")
        #expect(file.value("medic_slo_objective_ratio", ["unit": flaky]) == 0.9)
        #expect(daemon.stop() == 0)
        let last = MetricsText(try String(contentsOfFile: textfile, encoding: .utf8))
        #expect(last.value("medic_up") == 0)
        // The same units' SLOs as a specification for an SLO tool.
        let export = try MedicBinary.run(["slo", "export", "--format", "openslo", "--config", config, "--state-dir", state])
        #expect(export.status == 0, "\(export.standardError)")
        #expect(export.standardOutput.components(separatedBy: "kind: SLO").count == 3)
        #expect(export.standardOutput.contains("query: medic_unit_good_seconds_total{job=\"medic\",unit=\"\(flaky)\"}"), "\(export.standardOutput)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.runtimeDirectory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("an address already in use is said once and retried; supervision goes on")
    func addressInUse() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let unit = uniqueUnit("metrics-busy-port")
        try sandbox.runService(unit, ["/bin/sleep", "infinity"])
        // Another program holds the port.
        let port = try freePort()
        let holder = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0 && listen(holder, 1) == 0)
        let config = try configure(sandbox, "watch: [\(unit)]\nhttp: {listen: \"127.0.0.1:\(port)\"}\n")
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: sandbox.runtimeDirectory + "/state")
        #expect(await daemon.awaitLog("cannot serve metrics on 127.0.0.1:\(port)") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        kill(try sandbox.mainPID(of: unit), SIGKILL)
        #expect(await daemon.awaitLog(unit, "-> failed") != nil)
        try await Task.sleep(for: .seconds(5))
        #expect(daemon.log.all.filter { $0.contains("cannot serve metrics") }.count == 1)
        #expect(daemon.stop() == 0)
    }

    @Test("/metrics on a unix socket (a stale socket left at the path does not stop it)")
    func unixSocket() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let unit = uniqueUnit("metrics-socket")
        try sandbox.runService(unit, ["/bin/sleep", "infinity"])
        let socket = sandbox.runtimeDirectory + "/medic-http.sock"
        // What a killed Medic leaves behind: a socket nobody listens on.
        let stale = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in socket.utf8CString.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        let config = try configure(sandbox, "watch: [\(unit)]\nhttp: {listen: \"unix:\(socket)\"}\n")
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: sandbox.runtimeDirectory + "/state")
        #expect(await daemon.awaitLog("serving metrics on http://unix:\(socket)/metrics") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        let encoded = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        let answer = await HTTP.get("http+unix://\(encoded)/metrics")
        #expect(answer?.status == 200)
        #expect(MetricsText(answer?.body ?? "").value("medic_unit_health", ["unit": unit, "health": "healthy"]) == 1)
        #expect(daemon.stop() == 0)
    }

    @Test("a real Prometheus scrapes medic run: a killed unit shows failed with its bad seconds growing, and the shipped rules fire the fast-burn alert")
    func prometheusScrapes() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let unit = uniqueUnit("metrics-scraped")
        try sandbox.runService(unit, ["/bin/sleep", "infinity"])
        let port = try freePort()
        let config = try configure(sandbox, """
            watch: [\(unit)]
            http: {listen: "127.0.0.1:\(port)"}
            slo: {objective: 99, window: 1h}
            """)
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: sandbox.runtimeDirectory + "/state")
        let prometheus = try await LoopbackServer.prometheus(scraping: ["127.0.0.1:\(port)"], ruleFiles: [Self.rules])
        defer { prometheus.stop() }
        func query(_ promql: String) async -> [[String: Any]] {
            let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
            let document = await HTTP.json(prometheus.url + "/api/v1/query?query=" + encoded) as? [String: Any]
            return (document?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        }
        func value(_ promql: String) async -> Double? {
            guard let sample = await query(promql).first?["value"] as? [Any], let text = sample.last as? String else { return nil }
            return Double(text)
        }
        // Up for a few scrapes first, so that the rates have a history.
        #expect(await eventually(30) { await value("medic_unit_health{unit=\"\(unit)\",health=\"healthy\"}") == 1 })
        try await Task.sleep(for: .seconds(3))
        kill(try sandbox.mainPID(of: unit), SIGKILL)
        #expect(await daemon.awaitLog(unit, "-> failed") != nil)
        #expect(await eventually(30) { await value("medic_unit_health{unit=\"\(unit)\",health=\"failed\"}") == 1 })
        #expect(await eventually(30) { (await value("rate(medic_unit_bad_seconds_total{unit=\"\(unit)\"}[10s])") ?? 0) > 0.5 })
        let firing = await eventually(90) {
            await query("ALERTS{alertname=\"MedicErrorBudgetFastBurn\",alertstate=\"firing\",unit=\"\(unit)\"}").count == 1
        }
        #expect(firing, "Prometheus log: \(prometheus.log.all.suffix(10).joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
    }
}
