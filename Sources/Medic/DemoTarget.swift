import Foundation
import SystemdBus
import SystemdSandbox

/// Where `medic demo` runs: the machine's own manager when systemd is running, a manager at a given
/// bus address, or else a sandbox. It speaks to the manager over the bus alone.
final class DemoTarget: Sendable {
    let address: BusAddress
    let sandbox: SystemdSandbox?

    private init(address: BusAddress, sandbox: SystemdSandbox?) {
        self.address = address
        self.sandbox = sandbox
    }

    /// The manager at `busAddress` when given; else the running systemd (the system manager as root,
    /// the user's otherwise) unless `forceSandbox` is set or no systemd is running, in which case it
    /// starts the bundled sandbox.
    static func choose(busAddress: String?, forceSandbox: Bool) throws -> DemoTarget {
        if let busAddress { return DemoTarget(address: .address(busAddress), sandbox: nil) }
        let booted = FileManager.default.fileExists(atPath: "/run/systemd/system")
        if !forceSandbox && booted {
            if geteuid() == 0 { return DemoTarget(address: .system, sandbox: nil) }
            if ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"] != nil { return DemoTarget(address: .user, sandbox: nil) }
        }
        let sandbox = try SystemdSandbox.start(name: "medic-demo", journal: true)
        return DemoTarget(address: .address(sandbox.busAddress), sandbox: sandbox)
    }

    var label: String {
        sandbox.map { "a sandboxed systemd --user (PID \($0.managerPID), runtime directory \($0.runtimeDirectory))" } ?? "this machine's systemd (\(address))"
    }

    /// Where `medic logs` should read: the sandbox's journal, or the machine's (nil).
    var journalDirectory: String? { sandbox?.journalDirectory }

    /// Creates the demo units: transient ones through the bus everywhere, and in the sandbox alone
    /// the unit file with a bad setting (any other manager gets no file and no daemon-reload).
    func installDemoUnits() async throws {
        // Leftovers of a demo that was killed would make StartTransientUnit refuse the names.
        await removeDemoUnits()
        try await withManager { manager in
            if let sandbox {
                try FileManager.default.createDirectory(atPath: sandbox.unitDirectory, withIntermediateDirectories: true)
                try (DemoUnits.bogusFile + "\n").write(toFile: "\(sandbox.unitDirectory)/\(DemoUnits.bogus)", atomically: true, encoding: .utf8)
                try await manager.callManager("Reload")
            }
            for unit in DemoUnits.transient {
                do {
                    try await manager.startTransientUnit(unit.name, properties: unit.properties, auxiliary: unit.auxiliary)
                } catch {
                    throw MedicFailure("cannot create the demo unit \(unit.name): \(error)")
                }
            }
        }
        if sandbox == nil {
            Output.line("(Every demo unit is transient: no unit file is written and the manager is not reloaded;")
            Output.line(" a unit file with a bad setting is shown only in the sandbox: medic demo --sandbox.)")
        }
    }

    /// Stops the demo units and clears their failed state, which removes transient units.
    private func removeDemoUnits() async {
        guard let jobs = try? await JobRunner.open(address) else { return }
        defer { jobs.close() }
        for name in DemoUnits.names {
            _ = try? await jobs.run(.stop, unit: name, timeout: 10)
            try? await jobs.manager.resetFailed(unit: name)
        }
    }

    /// Stops and removes the demo units, then the sandbox if there is one.
    func tearDown() async {
        await removeDemoUnits()
        if let sandbox {
            try? FileManager.default.removeItem(atPath: "\(sandbox.unitDirectory)/\(DemoUnits.bogus)")
            _ = try? await withManager { try await $0.callManager("Reload") }
            sandbox.stop()
        }
    }

    /// The main PID of a service, or nil when it has none.
    func mainPID(of unit: String) async -> Int32? {
        try? await withManager { manager in
            guard let path = try await manager.loadedUnitPath(unit) else { return nil }
            let pid = try await manager.properties(of: path, keeping: ["MainPID"])["MainPID"]?.int64 ?? 0
            return pid > 0 ? Int32(truncatingIfNeeded: pid) : nil
        }
    }

    private func withManager<T: Sendable>(_ body: (SystemdManager) async throws -> T) async throws -> T {
        let bus = try BusConnection.open(address, description: "medic-demo")
        defer { bus.close() }
        return try await body(SystemdManager(bus: bus))
    }
}
