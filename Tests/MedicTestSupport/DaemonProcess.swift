import Foundation
import SystemdSandbox

/// `medic run` against a sandbox, with its log lines readable as they arrive.
public final class DaemonProcess: @unchecked Sendable {
    public let child: ChildProcess
    public let log: LineReader

    /// Starts the daemon and waits until it has its snapshot ("watching N units" in its log).
    /// `launcher` is put before the command (a program that ends by exec'ing its arguments, so the
    /// child is still medic itself).
    public init(in sandbox: SystemdSandbox, config: String, stateDirectory: String, arguments: [String] = [], readyTimeout: Double = 30, launcher: [String] = []) throws {
        var environment = sandbox.environment
        environment["MEDIC_LOG_LEVEL"] = "info"
        // Without --playbooks medic run would take the set shipped with this build: a test that gives
        // none means none (an empty directory).
        var arguments = arguments
        if !arguments.contains("--playbooks") {
            let none = sandbox.runtimeDirectory + "/no-playbooks"
            try FileManager.default.createDirectory(atPath: none, withIntermediateDirectories: true)
            arguments += ["--playbooks", none]
        }
        child = try ChildProcess.spawn(
            launcher + [MedicBinary.path, "run", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", stateDirectory] + arguments,
            environment: environment, standardOutput: .null, standardError: .pipe
        )
        log = LineReader(fd: child.standardError)
        guard log.waitFor(timeout: readyTimeout, { $0.contains("watching") }) != nil else {
            stop()
            throw SandboxError("medic run did not become ready: \(log.all.joined(separator: "\n"))")
        }
    }

    /// Waits for a log line containing every one of `texts`.
    @discardableResult
    public func waitForLog(_ texts: String..., timeout: Double = 30) -> String? {
        log.waitFor(timeout: timeout) { line in texts.allSatisfy(line.contains) }?.line
    }

    /// Like `waitForLog`, for async tests: suspends between looks instead of blocking one of the
    /// cooperative pool's few threads.
    public func awaitLog(_ texts: String..., timeout: Double = 30) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let line = log.all.first(where: { line in texts.allSatisfy(line.contains) }) { return line }
            if Date() >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// SIGTERM, then waits for the exit status.
    @discardableResult
    public func stop() -> Int32 {
        child.signal(SIGTERM)
        return child.wait()
    }

    deinit { stop() }
}

/// CLOCK_MONOTONIC microseconds translated to seconds since the epoch, for systemd's *Monotonic timestamps.
public func realtime(fromMonotonicMicros mono: UInt64) -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let nowMono = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    return Date().timeIntervalSince1970 - (nowMono - Double(mono) / 1e6)
}

extension SystemdSandbox {
    /// A unit's monotonic timestamp property (e.g. StateChangeTimestampMonotonic) as epoch seconds.
    public func timestamp(_ property: String, of unit: String) throws -> Double {
        let text = try systemctl("show", "-P", property + "Monotonic", unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let mono = UInt64(text), mono > 0 else { throw SandboxError("\(unit) has no \(property): '\(text)'") }
        return realtime(fromMonotonicMicros: mono)
    }
}
