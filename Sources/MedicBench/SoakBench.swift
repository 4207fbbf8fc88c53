import Foundation
import SystemdBus
import SystemdSandbox

/// A long run of `medic run` over services that crash and are restarted by systemd over and over:
/// whether its memory keeps growing once warmed up, and how fast its store grows (extrapolated to a
/// day, and bounded by its retention).
struct SoakBench {
    let sandbox: SystemdSandbox
    let bus: BusConnection
    let binary: String
    let units: Int
    let minutes: Double
    /// Seconds of history the store keeps (the configuration's retention).
    let retentionSeconds: Double

    struct Sample: Encodable {
        var minute: Double
        var residentMiB: Double?
        var anonymousMiB: Double?
        var memoryCurrentMiB: Double?
        var storeMiB: Double
    }

    struct Result: Encodable {
        var units: Int
        var minutes: Double
        var samples: [Sample]
        /// Growth from the fifth minute to the end.
        var residentGrowthMiB: Double?
        var anonymousGrowthMiB: Double?
        var storeMiBPerDay: Double
        /// What the store holds at that rate once retention starts pruning.
        var storeBoundGiB: Double
    }

    func run(progress: (Sample) -> Void) async throws -> Result {
        let names = (0..<units).map { "soak-\($0).service" }
        try await TransientUnits(bus: bus).createFlapping(names)
        defer { Task { await TransientUnits(bus: bus).stop(names) } }
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "soak", config: "watch: ['soak-*.service']\n", ownMemoryCgroup: true)
        defer { daemon.stop() }
        var samples: [Sample] = []
        let started = Date()
        let interval = 30.0
        while true {
            let minute = Date().timeIntervalSince(started) / 60
            let sample = Sample(minute: minute, residentMiB: ProcessFigures.residentMiB(daemon.child.pid), anonymousMiB: ProcessFigures.anonymousMiB(daemon.child.pid),
                                memoryCurrentMiB: daemon.memory?.currentMiB, storeMiB: Self.storeMiB(daemon.stateDirectory))
            samples.append(sample)
            progress(sample)
            guard minute < minutes, daemon.child.isRunning else { break }
            try await Task.sleep(for: .seconds(min(interval, max(1, (minutes - minute) * 60))))
        }
        guard daemon.child.isRunning else { throw BenchError("medic run ended during the soak; see \(daemon.logPath)") }
        let warm = samples.first { $0.minute >= 5 } ?? samples[0]
        let last = samples[samples.count - 1]
        let perMinute = last.minute > warm.minute ? (last.storeMiB - warm.storeMiB) / (last.minute - warm.minute) : 0
        return Result(
            units: units, minutes: minutes, samples: samples,
            residentGrowthMiB: last.residentMiB.flatMap { end in warm.residentMiB.map { end - $0 } },
            anonymousGrowthMiB: last.anonymousMiB.flatMap { end in warm.anonymousMiB.map { end - $0 } },
            storeMiBPerDay: perMinute * 1440, storeBoundGiB: perMinute * retentionSeconds / 60 / 1024
        )
    }

    /// The store's files (database and write-ahead log), in MiB.
    static func storeMiB(_ directory: String) -> Double {
        let bytes = ["medic.db", "medic.db-wal", "medic.db-shm"].compactMap { name in
            (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? UInt64
        }.reduce(0, +)
        return Double(bytes) / 1_048_576
    }
}
