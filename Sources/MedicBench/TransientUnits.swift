import Foundation
import SystemdBus

/// Creates many transient services quickly: StartTransientUnit calls pipelined on one connection,
/// many in flight at once (sequential systemd-run manages 40-90 a second; this, several hundred).
struct TransientUnits {
    let bus: BusConnection

    /// Starts `names.count` services running `command`, with extra unit properties.
    func create(_ names: [String], command: [String], properties: [(String, BusArgument)] = [], inFlight: Int = 64) async throws {
        var pending = names[...]
        try await withThrowingTaskGroup(of: Void.self) { group in
            func startNext() {
                guard let name = pending.popFirst() else { return }
                group.addTask { try await start(name, command: command, properties: properties) }
            }
            for _ in 0..<inFlight { startNext() }
            while try await group.next() != nil { startNext() }
        }
    }

    /// Waits until the manager has no jobs queued: the start jobs are done and the manager is idle,
    /// so that what is measured next does not queue behind them.
    func waitForNoJobs() async throws {
        var timeouts = 0
        while true {
            var jobs: [BusValue] = []
            do {
                jobs = try await bus.call(destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1",
                                          interface: "org.freedesktop.systemd1.Manager", member: "ListJobs")
            } catch {
                // A manager starting thousands of units may not answer within the bus's 25 s: ask again.
                guard "\(error)".contains("timed out"), timeouts < 10 else { throw error }
                timeouts += 1
                continue
            }
            if jobs.first?.array?.isEmpty ?? true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func start(_ name: String, command: [String], properties: [(String, BusArgument)]) async throws {
        try await SystemdManager(bus: bus).startTransientUnit(name, properties: [("ExecStart", SystemdManager.execStart(command))] + properties, mode: "replace")
    }

    /// Stops them (and so removes them: transient units go when they stop).
    /// Services that crash after half a second and that systemd restarts 200 ms later, forever.
    func createFlapping(_ names: [String]) async throws {
        try await create(names, command: ["/bin/sh", "-c", "sleep 0.5; exit 1"], properties: [
            ("Restart", .string("always")), ("RestartUSec", .uint64(200_000)), ("StartLimitIntervalUSec", .uint64(0)),
        ])
    }

    func stop(_ names: [String]) async {
        var pending = names[...]
        await withTaskGroup(of: Void.self) { group in
            func stopNext() {
                guard let name = pending.popFirst() else { return }
                group.addTask {
                    _ = try? await bus.call(destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1",
                                            interface: "org.freedesktop.systemd1.Manager", member: "StopUnit", arguments: [.string(name), .string("replace")])
                }
            }
            for _ in 0..<64 { stopNext() }
            while await group.next() != nil { stopNext() }
        }
    }
}
