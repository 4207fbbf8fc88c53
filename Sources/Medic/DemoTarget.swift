import Foundation
import SystemdBus
import SystemdSandbox

/// Where `medic demo` runs: the machine's own manager when systemd is running, else a sandbox.
final class DemoTarget: Sendable {
    let address: BusAddress
    let unitDirectory: String
    let environment: [String: String]
    let systemctlScope: [String]
    let sandbox: SystemdSandbox?

    private init(address: BusAddress, unitDirectory: String, environment: [String: String], systemctlScope: [String], sandbox: SystemdSandbox?) {
        self.address = address
        self.unitDirectory = unitDirectory
        self.environment = environment
        self.systemctlScope = systemctlScope
        self.sandbox = sandbox
    }

    /// Uses the running systemd (the system manager as root, the user's otherwise) unless `forceSandbox`
    /// is set or no systemd is running, in which case it starts the bundled sandbox.
    static func choose(forceSandbox: Bool) throws -> DemoTarget {
        let booted = FileManager.default.fileExists(atPath: "/run/systemd/system")
        if !forceSandbox && booted {
            let env = ProcessInfo.processInfo.environment
            if geteuid() == 0 {
                return DemoTarget(address: .system, unitDirectory: "/run/systemd/system", environment: env, systemctlScope: [], sandbox: nil)
            }
            if let runtime = env["XDG_RUNTIME_DIR"] {
                return DemoTarget(address: .user, unitDirectory: runtime + "/systemd/user", environment: env, systemctlScope: ["--user"], sandbox: nil)
            }
        }
        let sandbox = try SystemdSandbox.start(name: "medic-demo", journal: true)
        return DemoTarget(address: .address(sandbox.busAddress), unitDirectory: sandbox.unitDirectory, environment: sandbox.environment, systemctlScope: ["--user"], sandbox: sandbox)
    }

    var label: String {
        sandbox.map { "a sandboxed systemd --user (PID \($0.managerPID), runtime directory \($0.runtimeDirectory))" } ?? "this machine's systemd (\(address))"
    }

    /// Where `medic logs` should read: the sandbox's journal, or the machine's (nil).
    var journalDirectory: String? { sandbox?.journalDirectory }

    @discardableResult
    func systemctl(_ arguments: [String]) throws -> CommandResult {
        try Command.run(["systemctl"] + systemctlScope + ["--no-pager"] + arguments, environment: environment)
    }

    func installDemoUnits() throws {
        try FileManager.default.createDirectory(atPath: unitDirectory, withIntermediateDirectories: true)
        for (name, contents) in DemoUnits.files {
            try (contents + "\n").write(toFile: "\(unitDirectory)/\(name)", atomically: true, encoding: .utf8)
        }
        try systemctl(["daemon-reload"])
        try systemctl(["--no-block", "start"] + DemoUnits.started)
    }

    /// Stops and removes the demo units, then the sandbox if there is one.
    func tearDown() {
        _ = try? systemctl(["stop"] + DemoUnits.files.keys.sorted())
        for name in DemoUnits.files.keys { try? FileManager.default.removeItem(atPath: "\(unitDirectory)/\(name)") }
        _ = try? systemctl(["daemon-reload"])
        _ = try? systemctl(["reset-failed"] + DemoUnits.files.keys.sorted())
        sandbox?.stop()
    }

    /// The main PID of a service, or nil when it has none.
    func mainPID(of unit: String) -> Int32? {
        guard let result = try? systemctl(["show", "-P", "MainPID", unit]) else { return nil }
        return Int32(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0 > 0 ? $0 : nil }
    }
}
