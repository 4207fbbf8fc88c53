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
        /// `medic slo --json` reading every stored change (a store without running sums).
        var runsReadingEveryChange: [Double]
        /// What `medic run` spends once to sum a store written without running sums.
        var secondsToSum: Double
        /// `medic slo --json` from the running sums, as on a store the daemon keeps.
        var runs: [Double]
        var medianSeconds: Double

        var summary: String {
            String(format: "medic slo --json over %d units x 30 days (%d stored changes): median %.3f s of %@ from running sums; %.3f s reading every change; summing the store once took %.1f s",
                   units, storedChanges, medianSeconds, runs.map { String(format: "%.3f", $0) }.joined(separator: ", "),
                   runsReadingEveryChange.sorted()[1], secondsToSum)
        }
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

        let everyChange = try query()
        let summing = Date()
        try await store.keepAvailabilitySums(under: AvailabilityPolicy())
        let secondsToSum = Date().timeIntervalSince(summing)
        let runs = try query()
        return Result(units: units, days: days, storedChanges: rows, secondsToFill: secondsToFill, runsReadingEveryChange: everyChange,
                      secondsToSum: secondsToSum, runs: runs, medianSeconds: runs.sorted()[1])
    }

    /// Three runs of `medic slo --json`, in seconds.
    private func query() throws -> [Double] {
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
        return runs
    }
}
