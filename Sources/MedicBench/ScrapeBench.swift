import Foundation
import MedicTestSupport
import SystemdSandbox

/// The cost of one Prometheus scrape of `medic run` watching `count` units: CPU time Medic spends per
/// `GET /metrics` (its CPU during the scrapes minus its idle rate over the same time), the wall time
/// the scraper waits, and the size of the answer.
struct ScrapeBench {
    struct Result: Encodable {
        var units: Int
        var scrapes: Int
        var cpuMillisecondsPerScrape: Double
        var wall: Distribution
        var bodyKiB: Double
        var series: Int
    }

    var binary: String
    var sandbox: SystemdSandbox
    var pattern: String
    var units: Int
    var scrapes = 100

    func run() async throws -> Result {
        let port = try freePort()
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "scrape-\(units)",
                                     config: "watch: ['\(pattern)']\nhttp: {listen: '127.0.0.1:\(port)'}\n")
        defer { daemon.stop() }
        let url = "http://127.0.0.1:\(port)/metrics"
        // Until the first SLO evaluation has given every unit its budget series.
        var body = ""
        _ = await waitUntilAsync(60) {
            body = await HTTP.get(url)?.body ?? ""
            return MetricsText(body).samples.filter { $0.name == "medic_slo_objective_ratio" }.count >= units
        }
        let pid = daemon.child.pid
        // Over two SLO evaluations (every 5 s), which also fall among the scrapes.
        let idleFrom = ProcessFigures.cpuSeconds(pid) ?? 0, idleStart = Date()
        try await Task.sleep(for: .seconds(10))
        let idleRate = ((ProcessFigures.cpuSeconds(pid) ?? 0) - idleFrom) / Date().timeIntervalSince(idleStart)
        let cpuBefore = ProcessFigures.cpuSeconds(pid) ?? 0, started = Date()
        var wall: [Double] = []
        for _ in 0..<scrapes {
            let sent = Date()
            body = await HTTP.get(url, timeout: 30)?.body ?? ""
            wall.append(Date().timeIntervalSince(sent) * 1000)
        }
        let elapsed = Date().timeIntervalSince(started)
        let cpu = (ProcessFigures.cpuSeconds(pid) ?? 0) - cpuBefore - idleRate * elapsed
        return Result(units: units, scrapes: scrapes, cpuMillisecondsPerScrape: max(0, cpu) / Double(scrapes) * 1000, wall: Distribution(millis: wall),
                      bodyKiB: Double(body.utf8.count) / 1024, series: MetricsText(body).samples.count)
    }
}
