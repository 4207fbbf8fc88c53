import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// The store is never the reason Medic stops supervising: a corrupt store is moved aside, a read-only
/// one still serves reviews, and a full disk holds writes back until space returns, losing nothing
/// committed. Tmpfs and read-only mounts live in the test's own mount namespaces (unshare -m).
@Suite("A failing store")
struct StoreFailureTests {
    /// The time of a log line ("2026-11-29T18:16:56+0000 ...").
    static func time(of line: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return line.split(separator: " ").first.flatMap { formatter.date(from: String($0)) }?.timeIntervalSince1970
    }

    /// Restarts the unit; first, when `trigger` exists, fills the disk under `state` (once).
    static func restartFilling(trigger: String, state: String) -> String {
        """
        name: fill-then-restart
        trigger: failure
        rollback: none
        steps:
          - run: {argv: [/bin/sh, -c, "test -e \(trigger) || exit 0; rm -f \(trigger); dd if=/dev/zero of=\(state)/fill bs=64k 2>/dev/null; exit 0"]}
          - restart
        verify: {healthy-for: 1s, within: 15s}
        guard: {cooldown: 1s, max-attempts: 10, window: 1h, backoff: {initial: 1s, max: 2s}}
        """
    }

    func setUp(_ sandbox: SystemdSandbox, name: String, playbook: String) throws -> (config: String, playbooks: String, state: String) {
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sleep infinity\n"])
        _ = try sandbox.systemctl("start", name)
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(name)]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try playbook.write(toFile: playbooks + "/p.yaml", atomically: true, encoding: .utf8)
        let state = sandbox.runtimeDirectory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        return (config, playbooks, state)
    }

    @Test("under umask 000, medic run still creates its state directory 0700 and its database files 0600")
    func privateUnderAnyUmask() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("umask")
        let paths = try setUp(sandbox, name: name, playbook: "name: r\ntrigger: failure\nsteps: [restart]\n")
        let state = paths.state + "/new"
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: state, launcher: ["/bin/sh", "-c", "umask 000; exec \"$0\" \"$@\""])
        func mode(_ path: String) -> mode_t {
            var info = stat()
            stat(path, &info)
            return info.st_mode & 0o777
        }
        #expect(mode(state) == 0o700)
        #expect(mode(state + "/medic.db") == 0o600)
        #expect(await eventually(10) { FileManager.default.fileExists(atPath: state + "/medic.db-wal") })
        #expect(mode(state + "/medic.db-wal") == 0o600)
        #expect(daemon.stop() == 0)
    }

    @Test("medic run moves a corrupt store aside, says so, and supervises; reviews of a corrupt store say so in one line")
    func corruptStore() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("corrupt")
        let paths = try setUp(sandbox, name: name, playbook: "name: r\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\n")
        try Data(repeating: 0x42, count: 16_384).write(to: URL(fileURLWithPath: paths.state + "/medic.db"))
        let review = try MedicBinary.run(["history", "--state-dir", paths.state])
        #expect(review.status == 1)
        #expect(review.standardError.hasPrefix("medic: the history store \(paths.state)/medic.db is corrupt"), "\(review.standardError)")
        #expect(review.standardError.split(separator: "\n").count == 1, "\(review.standardError)")
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        #expect(daemon.log.all.contains { $0.contains("is corrupt") && $0.contains("moved aside to \(paths.state)/medic.db.corrupt-") }, "\(daemon.log.all)")
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(await daemon.awaitLog("correction #", "of \(name)", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        let kept = try FileManager.default.contentsOfDirectory(atPath: paths.state).filter { $0.hasPrefix("medic.db.corrupt-") }
        #expect(kept.count == 1)
    }

    @Test("on a read-only mount, reviews work and medic run says read-only")
    func readOnlyStore() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("readonly")
        let paths = try setUp(sandbox, name: name, playbook: "name: r\ntrigger: failure\nsteps: [restart]\nverify: {healthy-for: 1s, within: 10s}\n")
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks])
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(await daemon.awaitLog("correction #1", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        // The same state directory bind-mounted read-only over itself, in a namespace of its own.
        func readOnly(_ arguments: [String]) throws -> CommandResult {
            let script = "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\""
            // Bounded: a medic run that failed to refuse the store would otherwise run on.
            return try sandbox.run(["timeout", "30", "unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, paths.state, MedicBinary.path] + arguments)
        }
        let state = ["--state-dir", paths.state]
        for command in [["history"], ["history", "show", "1"], ["stats"], ["slo", "--config", paths.config], ["history", "--json"]] {
            let result = try readOnly(command + state)
            // slo exits 3 when a budget is exhausted (the unit was down), as its help says.
            #expect(result.status == 0 || (command[0] == "slo" && result.status == 3), "\(command): \(result.status) \(result.standardError)")
            #expect(result.standardError.isEmpty, "\(command): \(result.standardError)")
        }
        #expect(try readOnly(["history"] + state).standardOutput.contains(name))
        let status = try readOnly(["status", "--bus-address", sandbox.busAddress, "--config", paths.config] + state)
        #expect(status.status == 0 || status.status == 3, "\(status.standardError)")
        #expect(!status.standardError.contains("unable to open"), "\(status.standardError)")
        let run = try readOnly(["run", "--bus-address", sandbox.busAddress, "--config", paths.config] + state)
        #expect(run.status == 1)
        #expect(run.standardError.contains("read-only"), "\(run.standardError)")
        #expect(!run.standardError.contains("unable to open database file"), "\(run.standardError)")
    }

    @Test("on a full disk Medic keeps supervising, says so at most once a minute, holds back corrections it cannot record, and writes what waited once space returns")
    func fullDisk() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("full")
        let trigger = sandbox.runtimeDirectory + "/fill-now"
        let paths = try setUp(sandbox, name: name, playbook: Self.restartFilling(trigger: trigger, state: sandbox.runtimeDirectory + "/state"))
        // The state directory is a 2 MB tmpfs that only this medic run (and /proc/PID/root) sees.
        let launcher = ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=2m,mode=0700 tmpfs \"$0\" && exec \"$@\"", paths.state]
        let daemon = try DaemonProcess(in: sandbox, config: paths.config, stateDirectory: paths.state, arguments: ["--playbooks", paths.playbooks], launcher: launcher)
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        let view = "/proc/\(daemon.child.pid)/root\(paths.state)"
        #expect(FileManager.default.fileExists(atPath: view + "/medic.db"))

        // 1. The correction fills the disk after its intent is on record: its steps and outcome wait.
        _ = FileManager.default.createFile(atPath: trigger, contents: nil)
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(await daemon.awaitLog("correction #1", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(await daemon.awaitLog("its outcome cannot be stored yet") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // 2. A new failure while the disk is full: no intent can be written, so nothing is done.
        let before = monitor.calls(on: name).count
        kill(try sandbox.mainPID(of: name), SIGKILL)
        #expect(await daemon.awaitLog("not correcting \(name): held back: the intent to run fill-then-restart could not be recorded (disk is full)") != nil,
                "\(daemon.log.all.joined(separator: "\n"))")
        try await Task.sleep(for: .seconds(5))
        #expect(monitor.calls(on: name).count == before, "\(monitor.calls(on: name))")
        #expect(try show("ActiveState", name, in: sandbox) == "failed")
        #expect(daemon.log.all.filter { $0.contains("held back") }.count == 1, "\(daemon.log.all.joined(separator: "\n"))")
        // Said once, then at most once a minute (a slow machine may take over a minute to get here).
        let times = daemon.log.all.filter { $0.contains("cannot write the history") }.compactMap { Self.time(of: $0) }
        #expect(!times.isEmpty)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 59 }, "\(times)")

        // 3. Space returns: what waited is written without a restart, and the held-back unit is corrected.
        try FileManager.default.removeItem(atPath: view + "/fill")
        #expect(await daemon.awaitLog("the history is writable again") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(await daemon.awaitLog("correction #2", "recovered") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // Read inside the daemon's mount namespace: SQLite resolves /proc/PID/root to our own "/".
        func inDaemonNamespace(_ arguments: [String]) throws -> CommandResult {
            try sandbox.run(["nsenter", "-t", "\(daemon.child.pid)", "-m", MedicBinary.path] + arguments)
        }
        let history = try inDaemonNamespace(["history", "--json", "--state-dir", paths.state])
        try #require(history.status == 0, "\(history.standardError)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(history.standardOutput.utf8)) as? [String: Any], "\(history.standardOutput)")
        let rows = try #require(document["corrections"] as? [[String: Any]], "\(history.standardOutput)")
        #expect(rows.compactMap { $0["outcome"] as? String }.sorted() == ["recovered", "recovered"], "\(history.standardOutput)")
        let first = try inDaemonNamespace(["history", "show", "1", "--state-dir", paths.state])
        #expect(first.standardOutput.contains("restart"), "\(first.standardOutput)")
        #expect(daemon.stop() == 0)
    }
}
