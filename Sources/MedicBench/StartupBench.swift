import Foundation
import ProcessRunner
import SystemdBus
import SystemdSandbox

extension BenchCommand {
    /// Start-up of `medic run` over `count` running units selected by a glob: READY, all details,
    /// memory three seconds after those, beside one ListUnits call and a `medic status` of the same units.
    static func startup(binary: String, sandbox: SystemdSandbox, bus: BusConnection, count: Int) async throws -> StartupFigures {
        let pattern = "lat\(count)-*.service"
        var listings: [Double] = []
        for _ in 0..<5 {
            let started = Date()
            _ = try await SystemdManager(bus: bus).listUnits(matching: [pattern])
            listings.append(Date().timeIntervalSince(started))
        }
        let managerBefore = ProcessFigures.cpuSeconds(sandbox.managerPID)
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "startup-\(count)", config: "watch: ['\(pattern)']\n",
                                     logLevel: "info", ownMemoryCgroup: true)
        let details = daemon.secondsUntilLog("read the details of all", timeout: 120)
        let managerForDetails = zip(ProcessFigures.cpuSeconds(sandbox.managerPID), managerBefore).map { $0 - $1 }
        let medicForDetails = ProcessFigures.cpuSeconds(daemon.child.pid)
        try await Task.sleep(for: .seconds(3))
        let figures = StartupFigures(
            units: count, listUnitsSeconds: median(listings), secondsToReady: daemon.secondsToReady, secondsToDetails: details,
            residentMiB: ProcessFigures.residentMiB(daemon.child.pid), anonymousMiB: ProcessFigures.anonymousMiB(daemon.child.pid),
            memoryCurrentMiB: daemon.memory?.currentMiB, statusSeconds: 0,
            managerCPUForDetails: managerForDetails, medicCPUForDetails: medicForDetails
        )
        daemon.stop()
        var statuses: [Double] = []
        let managerBeforeStatus = ProcessFigures.cpuSeconds(sandbox.managerPID)
        for _ in 0..<3 {
            let started = Date()
            let status = try ChildProcess.spawn([binary, "status", "--json", "--bus-address", sandbox.busAddress, pattern],
                                                environment: sandbox.environment, standardOutput: .null, standardError: .null)
            guard [0, 3].contains(status.wait()) else { throw BenchError("medic status failed at \(count) units") }
            statuses.append(Date().timeIntervalSince(started))
        }
        var result = figures
        result.statusSeconds = median(statuses)
        result.managerCPUPerStatus = zip(ProcessFigures.cpuSeconds(sandbox.managerPID), managerBeforeStatus).map { ($0 - $1) / 3 }
        return result
    }

    /// Both values, or nil.
    private static func zip(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
