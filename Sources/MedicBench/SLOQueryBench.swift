import Foundation
import MedicCore
import MedicStore
import SystemdSandbox

/// `medic slo --json` over a store holding 30 days of synthetic history: every unit fails for a
/// minute every `failureEvery` seconds, each failure two stored state changes.
struct SLOQueryBench {
    let binary: String
    let directory: String
    let units: Int
    let days: Double
    let failureEvery: Double

    struct Result: Encodable {
        var units: Int
        var days: Double
        var storedChanges: Int
        var secondsToFill: Double
        var runs: [Double]
        var medianSeconds: Double
    }

    func run() async throws -> Result {
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        let store = try MedicStore(path: directory + "/state/medic.db")
        let now = Date().timeIntervalSince1970
        let start = now - days * 86_400
        let filling = Date()
        let session = try await store.beginSession(at: start)
        var rows = 0
        for unit in 0..<units {
            let name = "slo-\(unit).service"
            var batch = [StoredObservation(unit: name, observation: StateObservation(time: start, activeState: "active", subState: "running", health: .healthy))]
            // Each unit's failures at its own phase.
            var time = start + Double(unit % 997) / 997 * failureEvery
            while time < now - 120 {
                batch.append(StoredObservation(unit: name, observation: StateObservation(time: time, activeState: "failed", subState: "failed", health: .failed), result: "exit-code", exitCode: 1, exitStatus: 1))
                batch.append(StoredObservation(unit: name, observation: StateObservation(time: time + 60, activeState: "active", subState: "running", health: .healthy)))
                time += failureEvery
            }
            try await store.append(batch)
            rows += batch.count
        }
        try await store.heartbeat(session: session, at: now)
        let secondsToFill = Date().timeIntervalSince(filling)
        try "watch: ['slo-*.service']\n".write(toFile: directory + "/medic.yaml", atomically: true, encoding: .utf8)

        var runs: [Double] = []
        for _ in 0..<3 {
            let started = Date()
            let result = try Command.run([binary, "slo", "--json", "--config", directory + "/medic.yaml", "--state-dir", directory + "/state"])
            runs.append(Date().timeIntervalSince(started))
            // Exit 3 means some budget is breached, which is expected of this history.
            guard result.status == 0 || result.status == 3, result.standardOutput.contains("\"units\"") else {
                throw BenchError("medic slo failed (\(result.status)): \(result.standardError)")
            }
        }
        return Result(units: units, days: days, storedChanges: rows, secondsToFill: secondsToFill, runs: runs, medianSeconds: runs.sorted()[1])
    }
}
