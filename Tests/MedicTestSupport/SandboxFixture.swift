import Foundation
import SystemdSandbox

/// Starts a sandbox for one test and always stops it, whatever the test does.
public func withSandbox<T>(_ body: (SystemdSandbox) throws -> T) throws -> T {
    let sandbox = try SystemdSandbox.start(name: "medic-test")
    defer { sandbox.stop() }
    return try body(sandbox)
}

/// A unit name no other test (or sandbox, since cgroups are shared) uses.
public func uniqueUnit(_ base: String, _ type: String = "service") -> String {
    "medic-test-\(base)-\(String(UInt32.random(in: 0..<UInt32.max), radix: 16)).\(type)"
}

extension SystemdSandbox {
    /// The main PID of a running service.
    public func mainPID(of unit: String) throws -> Int32 {
        let result = try systemctl("show", "-P", "MainPID", unit)
        guard let pid = Int32(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw SandboxError("\(unit) has no main process: \(result.standardOutput)\(result.standardError)")
        }
        return pid
    }

    /// Starts a transient service running `command` and returns once it is started.
    public func runService(_ unit: String, _ command: [String], properties: [String] = [], wait: Bool = false) throws {
        let result = try run(["systemd-run", "--user", "--unit", unit] + (wait ? ["--wait"] : []) + properties.flatMap { ["-p", $0] } + command)
        if !wait && !result.succeeded { throw SandboxError("systemd-run \(unit) failed: \(result.standardError)") }
    }
}

/// One property of a unit as `systemctl show -P` prints it, trimmed.
public func show(_ property: String, _ unit: String, in sandbox: SystemdSandbox) throws -> String {
    try sandbox.systemctl("show", "-P", property, unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Polls `condition` every 50 ms until it holds, for at most `seconds`; its last answer.
public func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// Like `waitUntil`, for async tests: it suspends between polls instead of blocking a thread of the
/// cooperative pool (only as many as cores), so that other tests keep running meanwhile.
public func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
