import Foundation
import Logging
import MedicCore
import MedicEngine
import SystemdBus
import SystemdSandbox

/// Detection latency: kill -9 of a service's main process to (a) Medic's own detection of `failed`
/// (its watcher, in this process), (b) `busctl monitor` printing the PropertiesChanged, (c) a
/// 1-second `systemctl is-active` poller, with N units loaded.
struct DetectionBench {
    let sandbox: SystemdSandbox
    let bus: BusConnection
    let kills: Int

    struct Result: Encodable {
        var units: Int
        var medic: Distribution
        var busMonitor: Distribution
        var poller: Distribution
        /// Medic's p50 over the bus monitor's.
        var p50Ratio: Double?
        /// Seconds the watcher took from connecting to its first complete snapshot.
        var snapshotSeconds: Double
    }

    /// - Parameters:
    ///   - names: the loaded units, all matching `pattern`.
    func run(names: [String], pattern: String) async throws -> Result {
        let victims = (0..<kills).map { names[($0 * names.count) / kills] }
        let manager = SystemdManager(bus: bus)
        let killedAt = Shared<[String: Int64]>([:])
        let medic = Shared<[String: Int64]>([:])
        let monitor = Shared<[String: Int64]>([:])
        let polled = Shared<[String: Int64]>([:])

        // (a) Medic's watcher, as `medic run` and `medic watch` use it.
        var logger = Logger(label: "medic-bench")
        logger.logLevel = .critical
        let watcher = UnitWatcher(address: .address(sandbox.busAddress), patterns: [try UnitPattern(pattern)], logger: logger)
        let ready = Shared(false)
        let snapshotStarted = Date()
        let watching = Task {
            try await watcher.run { event in
                switch event {
                // Faults start once every unit's details are in (the steady state, not start-up).
                case .settled: ready.with { $0 = true }
                case .transition(let t) where t.to == .failed:
                    let stamp = nowMicros()
                    medic.with { if $0[t.unit] == nil { $0[t.unit] = stamp } }
                default: break
                }
            }
        }
        defer { watching.cancel() }
        guard await waitUntil(60, { ready.with { $0 } }) else { throw BenchError("the watcher did not take its snapshot") }
        let snapshotSeconds = Date().timeIntervalSince(snapshotStarted)
        say(String(format: "  in-process watcher: every detail of %d units in %.3f s", names.count, snapshotSeconds))

        // (b) busctl monitor, printing every PropertiesChanged of a unit.
        let pathToName = Dictionary(uniqueKeysWithValues: victims.compactMap { name in UnitObjectPath.encode(name).map { ($0, name) } })
        let busctl = try ChildProcess.spawn(
            ["busctl", "--user", "monitor", "--json=short",
             "--match=type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'"],
            environment: sandbox.environment, standardOutput: .pipe
        )
        defer { busctl.signal(SIGKILL); _ = busctl.wait() }
        _ = TimedLines(fd: busctl.standardOutput) { stamp, line in
            guard line.contains("\"failed\""), let start = line.range(of: "\"path\":\"") else { return }
            let path = line[start.upperBound...].prefix { $0 != "\"" }
            guard let name = pathToName[String(path)] else { return }
            monitor.with { if $0[name] == nil && killedAt.with({ $0[name] }) != nil { $0[name] = stamp } }
        }
        try await Task.sleep(for: .milliseconds(500))

        // (c) The naive poller: `systemctl --user is-active` on the unit under test, once a second.
        let target = Shared<String?>(nil)
        let stopPolling = Shared(false)
        let env = sandbox.environment
        let poller = Thread {
            while !stopPolling.with({ $0 }) {
                let started = Date()
                if let unit = target.with({ $0 }),
                   let result = try? Command.run(["systemctl", "--user", "is-active", unit], environment: env),
                   result.standardOutput.hasPrefix("failed") {
                    let stamp = nowMicros()
                    polled.with { if $0[unit] == nil { $0[unit] = stamp } }
                }
                let rest = 1 - Date().timeIntervalSince(started)
                if rest > 0 { usleep(UInt32(rest * 1_000_000)) }
            }
        }
        poller.start()
        defer { stopPolling.with { $0 = true } }

        for victim in victims {
            let path = try await manager.unitPath(victim)
            guard let pid = try await manager.properties(of: path, keeping: ["MainPID"])["MainPID"]?.uint64, pid > 0 else {
                throw BenchError("\(victim) has no main process")
            }
            target.with { $0 = victim }
            // A random phase against the poller's second.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0..<200)))
            killedAt.with { $0[victim] = nowMicros() }
            kill(Int32(pid), SIGKILL)
            _ = await waitUntil(3) { medic.with { $0[victim] } != nil && monitor.with { $0[victim] } != nil && polled.with { $0[victim] } != nil }
            target.with { $0 = nil }
            say("  killed \(victim): medic \(seen(medic, victim)), busctl \(seen(monitor, victim)), poller \(seen(polled, victim))")
            _ = try await manager.enqueue(.start, unit: victim)
            _ = await waitUntil(5) { (try? Command.run(["systemctl", "--user", "is-active", victim], environment: env))?.standardOutput.hasPrefix("active") == true }
        }

        func seen(_ times: Shared<[String: Int64]>, _ victim: String) -> String {
            guard let seen = times.with({ $0[victim] }), let killed = killedAt.with({ $0[victim] }) else { return "missed" }
            return String(format: "%.1f ms", Double(seen - killed) / 1000)
        }

        func latencies(_ seen: Shared<[String: Int64]>) -> [Double] {
            let times = seen.with { $0 }
            return victims.compactMap { victim in
                guard let seen = times[victim], let killed = killedAt.with({ $0[victim] }) else { return nil }
                return Double(seen - killed) / 1000
            }
        }
        let medicFigures = Distribution(millis: latencies(medic))
        let monitorFigures = Distribution(millis: latencies(monitor))
        let ratio = medicFigures.p50.flatMap { m in monitorFigures.p50.map { m / $0 } }
        return Result(units: names.count, medic: medicFigures, busMonitor: monitorFigures, poller: Distribution(millis: latencies(polled)), p50Ratio: ratio,
                      snapshotSeconds: snapshotSeconds)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
