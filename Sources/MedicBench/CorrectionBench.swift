import Foundation
import MedicStore
import SystemdBus
import SystemdSandbox

/// Trigger to the first corrective job, and failure to verified healthy, for `medic run` with a
/// simple restart playbook. A separate listener stamps the failure (the PropertiesChanged Medic acts
/// on) and the restart job appearing (the unit's Job property, or its activation).
struct CorrectionBench {
    let sandbox: SystemdSandbox
    let bus: BusConnection
    let binary: String
    let kills: Int

    struct Result: Encodable {
        var kills: Int
        var triggerToJob: Distribution
        var failureToActive: Distribution
        var failureToVerified: Distribution
        var verifyHealthyFor: Double
    }

    func run() async throws -> Result {
        let names = (0..<kills).map { "fix-\($0).service" }
        let units = TransientUnits(bus: bus)
        try await units.create(names, command: ["/bin/sleep", "infinity"])
        try await units.waitForNoJobs()
        defer { Task { await units.stop(names) } }
        let playbooks = sandbox.runtimeDirectory + "/bench-playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try "name: restart\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\nguard: {cooldown: 1s}\n"
            .write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "fix",
                                     // Medic's own reaction, without the deliberate wait for a burst to settle (2 s by default).
                                     config: "watch: ['fix-*.service']\ncorrections: {max-per-minute: 1000, max-concurrent: 10, mass-failure-settle: 1ms}\n",
                                     extra: ["--playbooks", playbooks])
        defer { daemon.stop() }
        let store = try MedicStore(path: daemon.stateDirectory + "/medic.db")

        let listener = try BusConnection.open(.address(sandbox.busAddress), description: "bench-fix")
        defer { listener.close() }
        try await SystemdManager(bus: listener).subscribe()
        let failedAt = Shared<[String: Int64]>([:])
        let jobAt = Shared<[String: Int64]>([:])
        let activeAt = Shared<[String: Int64]>([:])
        let listening = Task {
            for await batch in listener.signals {
                let stamp = nowMicros()
                for signal in batch {
                    guard case .propertiesChanged(let path, _, let changed, _)? = ManagerEvent(signal: signal),
                          let name = UnitObjectPath.unitName(of: path), name.hasPrefix("fix-") else { continue }
                    let state = changed["ActiveState"]?.string
                    if state == "failed" { failedAt.with { if $0[name] == nil { $0[name] = stamp } } }
                    guard failedAt.with({ $0[name] }) != nil else { continue }
                    let jobQueued = (changed["Job"]?.structure?.first?.uint64 ?? 0) != 0
                    if jobQueued || state == "activating" || state == "active" { jobAt.with { if $0[name] == nil { $0[name] = stamp } } }
                    if state == "active" { activeAt.with { if $0[name] == nil { $0[name] = stamp } } }
                }
            }
        }
        defer { listening.cancel() }

        let manager = SystemdManager(bus: bus)
        var killedAt: [String: Int64] = [:]
        var verifiedAt: [String: Int64] = [:]
        for name in names {
            let path = try await manager.unitPath(name)
            guard let pid = try await manager.properties(of: path, keeping: ["MainPID"])["MainPID"]?.uint64, pid > 0 else { throw BenchError("\(name) has no main process") }
            killedAt[name] = nowMicros()
            kill(Int32(pid), SIGKILL)
            var recovered: StoredCorrection?
            for _ in 0..<300 where recovered == nil {
                recovered = try await store.corrections(unit: name).first { $0.state == "recovered" }
                if recovered == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            if let ended = recovered?.endedAt { verifiedAt[name] = Int64(ended * 1_000_000) }
        }
        func spans(_ from: [String: Int64], _ to: [String: Int64]) -> [Double] {
            names.compactMap { name in
                guard let a = from[name], let b = to[name] else { return nil }
                return Double(b - a) / 1000
            }
        }
        let failed = failedAt.with { $0 }
        return Result(
            kills: kills, triggerToJob: Distribution(millis: spans(failed, jobAt.with { $0 })),
            failureToActive: Distribution(millis: spans(killedAt, activeAt.with { $0 })),
            failureToVerified: Distribution(millis: spans(killedAt, verifiedAt)), verifyHealthyFor: 1
        )
    }
}
