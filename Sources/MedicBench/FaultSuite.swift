import Foundation
import MedicTestSupport
import SystemdBus
import SystemdSandbox

/// The realistic fault suite: `medic run` with the shipped playbooks and a default configuration
/// (only `watch`, and `protect` for the protected unit) on a sandboxed manager, faults begun a few
/// seconds apart (unrelated failures, not one burst). Per fault: healed or not, time from the fault
/// to the unit healthy for good, Medic's jobs on its units as an independent `busctl monitor` saw
/// them, and harmful ones (any job on a unit systemd handles itself, a protected one or a healthy one,
/// any job in dry-run, and a change left on a unit that was not healed).
struct FaultSuite {
    let binary: String
    let playbooks: String
    let dryRun: Bool
    /// Seconds between the start of one fault and the next.
    var spacing: Double = 4
    /// Seconds to watch after the last fault began.
    var window: Double = 150
    /// Where to copy `medic run`'s log (it goes with the sandbox otherwise).
    var keepLog: String?

    struct Row: Encodable {
        var fault: String
        var healer: Fault.Healer
        var healed: Bool
        var secondsToHeal: Double?
        var medicJobs: Int
        var harmfulJobs: Int
    }

    struct Result: Encodable {
        var dryRun: Bool
        var rows: [Row]
        var fixable: Int
        var healedFixable: Int
        var medianSecondsToHeal: Double?
        var harmfulJobs: Int
    }

    func run() async throws -> Result {
        let prefix = dryRun ? "dry" : "live"
        let v1Memory = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        let cgroups = v1Memory ? "/sys/fs/cgroup/memory/medic-faults-\(getpid())-\(prefix)" : nil
        // Removed once the sandbox is gone (a cgroup with processes in it cannot be removed).
        defer { if let cgroups { Self.removeCgroups(cgroups) } }
        let sandbox = try SystemdSandbox.start(name: "medic-faults")
        defer { sandbox.stop() }
        let directory = sandbox.runtimeDirectory + "/faults"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let faults = FaultCatalog.faults(directory: directory, prefix: prefix, memoryCgroups: cgroups)
        for fault in faults {
            for (path, text) in fault.scripts { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        }
        try sandbox.install(units: faults.reduce(into: [:]) { all, fault in all.merge(fault.units) { a, _ in a } })
        let watched = faults.flatMap { $0.units.keys }.sorted()
        let config = "watch: [\(watched.joined(separator: ", "))]\ncorrections: {protect: [\(prefix)-precious.service]}\n"
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: prefix, config: config,
                                     extra: ["--playbooks", playbooks] + (dryRun ? ["--dry-run"] : []), logLevel: "info")
        defer { daemon.stop() }
        let bus = try BusConnection.open(.address(sandbox.busAddress), description: "medic-faults")
        defer { bus.close() }
        let manager = SystemdManager(bus: bus)

        // What a correction may change and must put back when the fault is not healed.
        var memoryBefore: [String: UInt64] = [:]
        for fault in faults { memoryBefore[fault.unit] = try? await Self.memoryMax(of: fault.unit, manager) }
        var began: [String: Double] = [:]
        var healthySince: [String: Double] = [:]
        var sawFailure: Set<String> = []
        func look() async {
            let now = Date().timeIntervalSince1970
            for fault in faults where began[fault.unit] != nil {
                guard let state = try? await Self.state(of: fault.unit, manager) else { continue }
                let healthy: Bool
                switch fault.kind {
                case .service:
                    healthy = state.active == "active"
                case .batch:
                    if state.active == "failed" { sawFailure.insert(fault.unit) }
                    healthy = sawFailure.contains(fault.unit) && state.active == "inactive" && state.result == "success"
                }
                if healthy {
                    if healthySince[fault.unit] == nil { healthySince[fault.unit] = now }
                } else {
                    healthySince[fault.unit] = nil
                }
            }
        }
        for fault in faults {
            began[fault.unit] = Date().timeIntervalSince1970
            _ = try? sandbox.systemctl("start", "--no-block", fault.start)
            let next = Date().addingTimeInterval(spacing)
            while Date() < next {
                await look()
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        let lastBegan = Date()
        let fixableFaults = faults.filter { $0.healer == .medic || $0.healer == .systemd }
        while Date().timeIntervalSince(lastBegan) < window {
            await look()
            // Every fixable fault healed: after a minute more (for harm to show), stop early.
            if Date().timeIntervalSince(lastBegan) >= 60, fixableFaults.allSatisfy({ healthySince[$0.unit] != nil }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }

        // The daemon's log is kept beside the report, for reading what Medic decided and why.
        if let keepLog {
            try? FileManager.default.removeItem(atPath: keepLog)
            try? FileManager.default.copyItem(atPath: daemon.stateDirectory + "/../medic.log", toPath: keepLog)
        }
        let calls = monitor.calls
        var rows: [Row] = []
        for fault in faults {
            let units = Set(fault.units.keys)
            let jobs = calls.filter { units.contains($0.unit) }
            let healedAt = healthySince[fault.unit]
            let healed = fault.healer != .untouched && healedAt != nil
            var harmful = dryRun ? jobs.count : jobs.filter { fault.handsOff.contains($0.unit) }.count
            // A change left on a unit that was not healed (a memory raise not rolled back) is harm too.
            let memoryAfter = try? await Self.memoryMax(of: fault.unit, manager)
            if !healed, memoryAfter != memoryBefore[fault.unit] { harmful += 1 }
            let seconds = healed ? healedAt.map { max(0, $0 - began[fault.unit]!) } : nil
            rows.append(Row(fault: fault.label, healer: fault.healer, healed: healed, secondsToHeal: seconds, medicJobs: jobs.count, harmfulJobs: harmful))
        }
        let fixable = rows.filter { $0.healer == .medic || $0.healer == .systemd }
        let times = fixable.compactMap(\.secondsToHeal).sorted()
        return Result(dryRun: dryRun, rows: rows, fixable: fixable.count, healedFixable: fixable.filter(\.healed).count,
                      medianSecondsToHeal: times.isEmpty ? nil : times[times.count / 2], harmfulJobs: rows.map(\.harmfulJobs).reduce(0, +))
    }

    /// ActiveState and Result of a unit. One that systemd unloaded is not loaded again to ask (that would
    /// make events Medic sees): unloaded means inactive, and a failed unit is never unloaded.
    static func state(of unit: String, _ manager: SystemdManager) async throws -> (active: String, result: String) {
        guard let path = try await manager.loadedUnitPath(unit) else { return ("inactive", "success") }
        let properties = try await manager.properties(of: path, keeping: ["ActiveState", "Result"])
        return (properties["ActiveState"]?.string ?? "", properties["Result"]?.string ?? "")
    }

    /// The unit's MemoryMax (read at the start and the end only).
    static func memoryMax(of unit: String, _ manager: SystemdManager) async throws -> UInt64? {
        let path = try await manager.loadUnit(unit)
        return try await manager.properties(of: path, keeping: ["MemoryMax"])["MemoryMax"]?.uint64
    }

    static func removeCgroups(_ top: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? [] { rmdir("\(top)/\(entry)") }
        rmdir(top)
    }

    /// The suite's rows as a Markdown table.
    static func table(_ result: Result) -> [String] {
        var lines = ["| fault | healed by | healed | time to heal | Medic's jobs | harmful |", "|---|---|---|---|---|---|"]
        for row in result.rows {
            let time = row.secondsToHeal.map { String(format: "%.0f s", $0) } ?? "-"
            let healed = row.healer == .untouched ? "-" : (row.healed ? "yes" : "no")
            lines.append("| \(row.fault) | \(row.healer.rawValue) | \(healed) | \(time) | \(row.medicJobs) | \(row.harmfulJobs) |")
        }
        let median = result.medianSecondsToHeal.map { String(format: "%.0f s", $0) } ?? "-"
        lines.append("")
        lines.append("\(result.dryRun ? "dry-run: " : "")\(result.healedFixable) of \(result.fixable) fixable faults healed, median time to heal \(median), \(result.harmfulJobs) harmful jobs")
        return lines
    }
}
