import Foundation
import MedicStore
import SystemdBus
import SystemdSandbox

/// CPU per event: `medic run` watching services that crash and are restarted by systemd over and
/// over; its CPU time divided by the unit events it handled (classification, SLO accounting,
/// storage), and the events per second systemd produced.
struct FlapBench {
    let sandbox: SystemdSandbox
    let bus: BusConnection
    let binary: String
    /// medic-bench itself, which runs the raw reader with --raw-reader.
    let benchBinary: String
    let units: Int
    let seconds: Double

    struct Result: Encodable {
        var units: Int
        var seconds: Double
        /// PropertiesChanged signals about the flapping units, counted by a separate listener.
        var signalsPerSecond: Double
        /// State changes Medic stored.
        var storedChangesPerSecond: Double
        var medicCPUSeconds: Double
        var microsecondsPerSignal: Double
        var microsecondsPerStoredChange: Double
        var medicCPUPercent: Double
        /// The raw sd-bus reader's CPU over the same window and signals (`RawReader`), and Medic's
        /// cost as a multiple of it.
        var rawReaderCPUSeconds: Double
        var rawReaderMicrosecondsPerSignal: Double
        var medicToRawRatio: Double
    }

    func run() async throws -> Result {
        let names = (0..<units).map { "flap-\($0).service" }
        try await TransientUnits(bus: bus).createFlapping(names)
        defer { Task { await TransientUnits(bus: bus).stop(names) } }
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "flap", config: "watch: ['flap-*.service']\n")
        defer { daemon.stop() }
        let store = try MedicStore(path: daemon.stateDirectory + "/medic.db")

        // A separate listener counts the signals about these units.
        let listener = try BusConnection.open(.address(sandbox.busAddress), description: "bench-count")
        defer { listener.close() }
        try await SystemdManager(bus: listener).subscribe()
        let counted = Shared(0)
        let counting = Task {
            for await batch in listener.signals {
                let n = batch.filter { $0.member == "PropertiesChanged" && $0.path.contains("flap_2d") }.count
                counted.with { $0 += n }
            }
        }
        defer { counting.cancel() }
        // The floor, in a process of its own like Medic.
        let raw = try ChildProcess.spawn([benchBinary, "--raw-reader", sandbox.busAddress], environment: sandbox.environment)
        defer {
            raw.signal(SIGKILL)
            _ = raw.wait()
        }
        try await Task.sleep(for: .seconds(3))

        let rawBefore = ProcessFigures.cpuSeconds(raw.pid) ?? 0
        let cpuBefore = ProcessFigures.cpuSeconds(daemon.child.pid) ?? 0
        let storedBefore = try await store.observationCount()
        let signalsBefore = counted.with { $0 }
        try await Task.sleep(for: .seconds(seconds))
        let cpu = (ProcessFigures.cpuSeconds(daemon.child.pid) ?? 0) - cpuBefore
        let rawCPU = (ProcessFigures.cpuSeconds(raw.pid) ?? 0) - rawBefore
        // Rows are written in batches every 2 s: over the window this is within a batch either way.
        let stored = try await store.observationCount() - storedBefore
        let signals = counted.with { $0 } - signalsBefore
        return Result(
            units: units, seconds: seconds, signalsPerSecond: Double(signals) / seconds, storedChangesPerSecond: Double(stored) / seconds,
            medicCPUSeconds: cpu, microsecondsPerSignal: signals > 0 ? cpu * 1e6 / Double(signals) : 0,
            microsecondsPerStoredChange: stored > 0 ? cpu * 1e6 / Double(stored) : 0, medicCPUPercent: cpu / seconds * 100,
            rawReaderCPUSeconds: rawCPU, rawReaderMicrosecondsPerSignal: signals > 0 ? rawCPU * 1e6 / Double(signals) : 0,
            medicToRawRatio: rawCPU > 0 ? cpu / rawCPU : 0
        )
    }
}
