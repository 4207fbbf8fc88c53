import Foundation
import SystemdSandbox

/// A real `medic run` started against the sandbox, with NOTIFY_SOCKET pointing at the bench, so
/// that the time to READY=1 is measured as systemd would see it.
final class MedicDaemon {
    let child: ChildProcess
    /// Seconds from spawn to READY=1.
    let secondsToReady: Double
    let stateDirectory: String
    /// The daemon's log (stderr).
    let logPath: String
    let started: Date
    /// The memory cgroup it runs in, when asked for and possible.
    let memory: MemoryCgroup?

    init(binary: String, sandbox: SystemdSandbox, name: String, config: String, extra: [String] = [], logLevel: String = "warning", ownMemoryCgroup: Bool = false) throws {
        let directory = sandbox.runtimeDirectory + "/bench-\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try config.write(toFile: directory + "/medic.yaml", atomically: true, encoding: .utf8)
        stateDirectory = directory + "/state"
        let socket = try NotifySocket(path: directory + "/notify")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = socket.path
        environment["MEDIC_LOG_LEVEL"] = logLevel
        // Without --playbooks medic run takes the shipped set: a benchmark that gives none means none.
        var extra = extra
        if !extra.contains("--playbooks") {
            try FileManager.default.createDirectory(atPath: directory + "/no-playbooks", withIntermediateDirectories: true)
            extra += ["--playbooks", directory + "/no-playbooks"]
        }
        logPath = directory + "/medic.log"
        memory = ownMemoryCgroup ? MemoryCgroup(name: name) : nil
        let argv = [binary, "run", "--bus-address", sandbox.busAddress, "--config", directory + "/medic.yaml", "--state-dir", stateDirectory] + extra
        let started = Date()
        self.started = started
        child = try ChildProcess.spawn(memory?.wrap(argv) ?? argv, environment: environment, standardOutput: .null, standardError: .file(logPath))
        let child = self.child
        guard socket.waitForReady(until: Date().addingTimeInterval(120), stillAlive: { child.isRunning }) else {
            child.signal(SIGKILL)
            _ = child.wait()
            throw BenchError("medic run did not become ready; see \(directory)/medic.log")
        }
        secondsToReady = Date().timeIntervalSince(started)
    }

    /// Seconds from spawn until the log has a line containing `text`; nil when none within `timeout`.
    func secondsUntilLog(_ text: String, timeout: Double) -> Double? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && child.isRunning {
            if let log = try? String(contentsOfFile: logPath, encoding: .utf8), log.contains(text) {
                return Date().timeIntervalSince(started)
            }
            usleep(5_000)
        }
        return nil
    }

    func stop() {
        child.signal(SIGTERM)
        _ = child.wait()
        memory?.remove()
    }
}
