import Foundation
import MedicTestSupport
import SystemdSandbox

/// The dashboard of `medic run` watching `units` units: wall time and Medic's CPU per request of the
/// board, a unit page and each API document, and the resident memory the HTTP server costs while
/// idle (the same daemon with and without `--listen`).
struct DashboardBench {
    struct Result: Encodable {
        var units: Int
        var requests: Int
        var endpoints: [Endpoint]
        var residentWithoutServerMiB: Double?
        var residentWithServerIdleMiB: Double?
        var residentAfterRequestsMiB: Double?
        /// After as many requests again: equal to the first figure when the growth is the allocator
        /// keeping freed memory, larger when something leaks.
        var residentAfterSecondRoundMiB: Double?
    }

    struct Endpoint: Encodable {
        var path: String
        var wall: Distribution
        var cpuMillisecondsPerRequest: Double
        var bodyKiB: Double
    }

    var binary: String
    var sandbox: SystemdSandbox
    var pattern: String
    var sampleUnit: String
    var units: Int
    var requests = 20

    func run() async throws -> Result {
        let config = "watch: ['\(pattern)']\n"
        let plain = try MedicDaemon(binary: binary, sandbox: sandbox, name: "dashboard-plain-\(units)", config: config)
        try await Task.sleep(for: .seconds(8))
        let without = ProcessFigures.residentMiB(plain.child.pid)
        plain.stop()

        let port = try freePort()
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "dashboard-\(units)", config: config + "http: {listen: '127.0.0.1:\(port)'}\n")
        defer { daemon.stop() }
        try await Task.sleep(for: .seconds(8))
        let idle = ProcessFigures.residentMiB(daemon.child.pid)
        let base = "http://127.0.0.1:\(port)"
        // Until the first SLO evaluation has given every unit its budget.
        _ = await waitUntilAsync(60) {
            ((await HTTP.json(base + "/api/v1/slo") as? [String: Any])?["units"] as? [Any])?.count ?? 0 >= units
        }
        let pid = daemon.child.pid
        let idleFrom = ProcessFigures.cpuSeconds(pid) ?? 0, idleStart = Date()
        try await Task.sleep(for: .seconds(5))
        let idleRate = ((ProcessFigures.cpuSeconds(pid) ?? 0) - idleFrom) / Date().timeIntervalSince(idleStart)
        var endpoints: [Endpoint] = []
        for path in ["/", "/units/" + sampleUnit, "/api/v1/status", "/api/v1/slo", "/api/v1/history", "/api/v1/stats"] {
            var wall: [Double] = []
            var size = 0
            let cpuBefore = ProcessFigures.cpuSeconds(pid) ?? 0, started = Date()
            for _ in 0..<requests {
                let sent = Date()
                size = await HTTP.get(base + path, timeout: 30)?.body.utf8.count ?? 0
                wall.append(Date().timeIntervalSince(sent) * 1000)
            }
            let cpu = (ProcessFigures.cpuSeconds(pid) ?? 0) - cpuBefore - idleRate * Date().timeIntervalSince(started)
            endpoints.append(Endpoint(path: path, wall: Distribution(millis: wall), cpuMillisecondsPerRequest: max(0, cpu) / Double(requests) * 1000, bodyKiB: Double(size) / 1024))
        }
        try await Task.sleep(for: .seconds(3))
        let afterFirst = ProcessFigures.residentMiB(pid)
        for endpoint in endpoints {
            for _ in 0..<requests { _ = await HTTP.get(base + endpoint.path, timeout: 30) }
        }
        try await Task.sleep(for: .seconds(3))
        return Result(units: units, requests: requests, endpoints: endpoints, residentWithoutServerMiB: without, residentWithServerIdleMiB: idle,
                      residentAfterRequestsMiB: afterFirst, residentAfterSecondRoundMiB: ProcessFigures.residentMiB(pid))
    }
}
