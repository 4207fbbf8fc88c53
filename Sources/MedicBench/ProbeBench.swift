import Foundation
import MedicTestSupport
import ProcessRunner
import SystemdBus
import SystemdSandbox

/// What active probes cost: `medic run` over `units` running services, first without probes, then
/// with an HTTP probe of each every 10 s against a loopback server; the CPU of each over the same
/// time, as a share of one core.
struct ProbeBench {
    struct Result: Encodable {
        var units: Int
        var intervalSeconds: Double
        var seconds: Double
        /// medic run's CPU, percent of one core, watching only.
        var watchingCPUPercent: Double
        /// The same with every unit probed.
        var probingCPUPercent: Double
        /// What the probes add.
        var probeCPUPercent: Double { probingCPUPercent - watchingCPUPercent }
        /// Probes the server answered while measured, per second.
        var probesPerSecond: Double
        /// Units whose probe was passing at the end (all of them, when the figure is valid).
        var passing: Int
        /// Once the server answers 503 to every probe: until each unit's probe is failing (medic
        /// run's log), beside the bound failure-threshold × interval; `count` units were seen failing.
        var toFailing: Distribution
        var failureThreshold: Int
    }

    let sandbox: SystemdSandbox
    let units: TransientUnits
    let binary: String
    let count: Int
    let seconds: Double
    let interval = 10.0
    /// The default failure-threshold.
    let threshold = 3

    /// A server that answers every GET with 200 "ok" (503 once COUNTFILE.broken exists) and counts
    /// the requests in a file once a second.
    static let server = """
        import http.server, os, sys, threading, time
        port, countfile = int(sys.argv[1]), sys.argv[2]
        count = 0
        lock = threading.Lock()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                global count
                with lock: count += 1
                self.send_response(503 if os.path.exists(countfile + ".broken") else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args):
                pass
        def report():
            while True:
                time.sleep(1)
                with open(countfile + ".tmp", "w") as f: f.write(str(count))
                import os; os.replace(countfile + ".tmp", countfile)
        threading.Thread(target=report, daemon=True).start()
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """

    func run() async throws -> Result {
        let names = (0..<count).map { "probe\(count)-\($0).service" }
        try await units.create(names, command: ["/bin/sleep", "infinity"])
        try await units.waitForNoJobs()
        let result = try await measure(names)
        await units.stop(names)
        return result
    }

    private func measure(_ names: [String]) async throws -> Result {
        let port = try freePort()
        let countFile = sandbox.runtimeDirectory + "/probe-bench-count"
        let server = try ChildProcess.spawn(["python3", "-c", Self.server, String(port), countFile], environment: ProcessInfo.processInfo.environment,
                                            ownProcessGroup: true)
        defer {
            _ = server.signalGroup(SIGKILL)
            _ = server.wait()
        }
        let pattern = "probe\(count)-*.service"
        let watching = try MedicDaemon(binary: binary, sandbox: sandbox, name: "probe-off-\(count)", config: "watch: ['\(pattern)']\n")
        _ = watching.secondsUntilLog("never logged", timeout: 5)
        let watchingCPU = try cpuPercent(watching.child.pid)
        watching.stop()

        let config = """
            watch: ['\(pattern)']
            probes:
              - {unit: '\(pattern)', http: "http://127.0.0.1:\(port)/", interval: \(Int(interval))s, timeout: 2s}
            """
        let probing = try MedicDaemon(binary: binary, sandbox: sandbox, name: "probe-on-\(count)", config: config, logLevel: "info")
        // Every unit's first probe comes within one interval (jittered), then one per interval.
        try await Task.sleep(for: .seconds(interval + 3))
        let before = Self.requests(countFile)
        let probingCPU = try cpuPercent(probing.child.pid)
        let answered = Self.requests(countFile) - before
        try await Task.sleep(for: .seconds(3))  // a heartbeat writes probes.json
        let passing = Self.passing(probing.stateDirectory + "/probes.json")
        // Every endpoint fails at once: when does each unit's probe say so?
        let broken = Date()
        _ = FileManager.default.createFile(atPath: countFile + ".broken", contents: nil)
        var failingAfter: [String: Double] = [:]
        let deadline = broken.addingTimeInterval(Double(threshold) * interval + 30)
        while failingAfter.count < names.count, Date() < deadline {
            let log = (try? String(contentsOfFile: probing.logPath, encoding: .utf8)) ?? ""
            let elapsed = Date().timeIntervalSince(broken)
            for line in log.split(separator: "\n") where line.contains(": probe failing") {
                guard let name = line.split(separator: " ").first(where: { $0.hasPrefix("probe\(count)-") }).map({ String($0.dropLast()) }),
                      failingAfter[name] == nil else { continue }
                failingAfter[name] = elapsed
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        probing.stop()
        try? FileManager.default.removeItem(atPath: countFile + ".broken")
        let toFailing = Distribution(millis: failingAfter.values.map { $0 * 1000 })
        return Result(units: count, intervalSeconds: interval, seconds: seconds, watchingCPUPercent: watchingCPU, probingCPUPercent: probingCPU,
                      probesPerSecond: Double(answered) / seconds, passing: passing, toFailing: toFailing, failureThreshold: threshold)
    }

    /// The process's CPU over `seconds`, percent of one core.
    private func cpuPercent(_ pid: Int32) throws -> Double {
        guard let before = ProcessFigures.cpuSeconds(pid) else { throw BenchError("cannot read the CPU of \(pid)") }
        let started = Date()
        Thread.sleep(forTimeInterval: seconds)
        guard let after = ProcessFigures.cpuSeconds(pid) else { throw BenchError("cannot read the CPU of \(pid)") }
        return (after - before) / Date().timeIntervalSince(started) * 100
    }

    private static func requests(_ file: String) -> Int {
        Int((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") ?? 0
    }

    private static func passing(_ file: String) -> Int {
        guard let data = FileManager.default.contents(atPath: file),
              let probes = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else { return 0 }
        return probes.values.filter { $0["status"] as? String == "passing" }.count
    }
}
