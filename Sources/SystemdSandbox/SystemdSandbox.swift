import Foundation

/// A real `systemd --user` manager in a private mount namespace, with its own runtime directory and bus.
///
/// As root, `unshare -m --propagation private` gives the manager a namespace where a tmpfs on
/// /run/systemd (with /run/systemd/system) makes it believe it runs on a systemd system; its
/// `XDG_RUNTIME_DIR` is a fresh 0700 directory holding its private socket and, through the dbus.socket
/// user unit, a D-Bus bus; its cgroup tree is its own. Several sandboxes can run at once; `stop()` ends every
/// process started in it.
public final class SystemdSandbox: Sendable {
    /// The sandbox's XDG_RUNTIME_DIR.
    public let runtimeDirectory: String
    /// The PID of the sandboxed `systemd --user`.
    public let managerPID: Int32
    private let manager: ChildProcess
    private let cgroup: CgroupTree

    /// The D-Bus address of the sandbox's user bus.
    public var busAddress: String { "unix:path=\(runtimeDirectory)/bus" }
    /// Unit files written here are found by the manager after a daemon-reload.
    public var unitDirectory: String { runtimeDirectory + "/systemd/user" }
    /// Environment that points systemctl, systemd-run and Medic at this sandbox.
    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["XDG_RUNTIME_DIR"] = runtimeDirectory
        env["DBUS_SESSION_BUS_ADDRESS"] = busAddress
        env["SYSTEMD_PAGER"] = ""
        env["SYSTEMD_COLORS"] = "0"
        return env
    }

    private init(runtimeDirectory: String, manager: ChildProcess, cgroup: CgroupTree) {
        self.runtimeDirectory = runtimeDirectory
        self.manager = manager
        self.cgroup = cgroup
        managerPID = manager.pid
    }

    /// Where the sandbox's journald keeps its files, when it was started with one.
    public var journalDirectory: String { runtimeDirectory + "/journal" }

    /// Starts a manager and waits until it reports READY=1 and its bus accepts connections.
    ///
    /// - Parameter journal: also start a systemd-journald in the namespace, storing into
    ///   `journalDirectory` (bind-mounted on /run/log/journal) so units' output can be read from outside.
    public static func start(name: String = "medic", journal: Bool = false, timeout: TimeInterval = 30) throws -> SystemdSandbox {
        guard geteuid() == 0 else {
            throw SandboxError("the systemd sandbox needs root (it mounts a tmpfs on /run/systemd in a private mount namespace); run as root")
        }
        let systemd = "/lib/systemd/systemd"
        guard FileManager.default.isExecutableFile(atPath: systemd) else {
            throw SandboxError("\(systemd) not found: install the systemd package (apt-get install -y systemd dbus-user-session)")
        }
        let unshare = try Command.resolve("unshare")
        raiseInotifyLimit()
        let template = "/tmp/\(name)-sandbox-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else {
            throw SandboxError("cannot create a runtime directory: \(String(cString: strerror(errno)))")
        }
        let runtime = String(decoding: buffer.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(runtime, 0o700)
        try FileManager.default.createDirectory(atPath: runtime + "/systemd/user", withIntermediateDirectories: true)

        let notify = try NotifySocket(path: runtime + "/ready.sock")
        // Units of different sandboxes must not share cgroups (stopping dbus.service in one would kill
        // another's bus): each manager starts in a cgroup of its own and builds its tree below it.
        let cgroupName = "medic-sandbox-" + URL(fileURLWithPath: runtime).lastPathComponent
        var env: [String: String] = [:]
        for key in ["PATH", "HOME", "LANG", "USER", "LOGNAME"] { env[key] = ProcessInfo.processInfo.environment[key] }
        env["PATH"] = env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env["XDG_RUNTIME_DIR"] = runtime
        env["NOTIFY_SOCKET"] = notify.path
        // The manager's own complaints (why it could not start) go to its log file, not to a journal
        // or kernel log that the sandbox does not have.
        env["SYSTEMD_LOG_TARGET"] = "console"
        let log = runtime + "/manager.log"
        let manager = try ChildProcess.spawn(
            [unshare, "-m", "--propagation", "private", "/bin/sh", "-c", CgroupTree.enterScript(name: cgroupName) +
             "mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mkdir -p /run/systemd/system && " +
             (journal ? journalScript(runtime: runtime) : "") + "exec \(systemd) --user"],
            environment: env, standardOutput: .file(log), standardError: .file(log)
        )

        let sandbox = SystemdSandbox(runtimeDirectory: runtime, manager: manager, cgroup: CgroupTree(name: cgroupName))
        let began = Date()
        let ready = notify.waitForReady(until: began.addingTimeInterval(timeout)) { manager.isRunning }
        guard ready else {
            let output = (try? String(contentsOfFile: runtime + "/manager.log", encoding: .utf8)) ?? ""
            let why = manager.isRunning ? "did not become ready within \(Int(timeout)) s"
                : "exited with status \(manager.wait()) after \(String(format: "%.1f", Date().timeIntervalSince(began))) s"
            sandbox.stop()
            throw SandboxError("the sandboxed systemd --user \(why): \(output.suffix(2000))")
        }
        guard FileManager.default.fileExists(atPath: runtime + "/bus") else {
            sandbox.stop()
            throw SandboxError("the sandboxed manager has no user bus at \(runtime)/bus: install dbus-user-session (it provides the dbus.socket user unit)")
        }
        return sandbox
    }

    /// Each manager holds three inotify instances and its bus one more; the kernel's default of 128
    /// per user lets about 30 sandboxes run at once, and a manager that finds none left exits at
    /// once without a word. Raised (as root, once) to 1024 when lower.
    private static func raiseInotifyLimit() {
        let path = "/proc/sys/fs/inotify/max_user_instances"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit < 1024 else { return }
        try? "1024\n".write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// Shell lines starting a journald whose storage is the sandbox's journal directory.
    private static func journalScript(runtime: String) -> String {
        let journald = "/lib/systemd/systemd-journald"
        return "mkdir -p '\(runtime)/journal' /run/log/journal && mount --bind '\(runtime)/journal' /run/log/journal && " +
            "{ [ -x \(journald) ] && env -u NOTIFY_SOCKET \(journald) & } ; " +
            // Units started before journald listens would log nowhere: wait for its stream socket (at most
            // 30 s, for a machine loaded with other tests' managers).
            "for i in $(seq 600); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.05; done; "
    }

    /// Runs `systemctl --user` against this sandbox.
    @discardableResult
    public func systemctl(_ arguments: String...) throws -> CommandResult {
        try Command.run(["systemctl", "--user", "--no-pager"] + arguments, environment: environment)
    }

    /// Runs a command with this sandbox's environment (systemd-run --user, busctl --user, medic ...).
    @discardableResult
    public func run(_ arguments: [String]) throws -> CommandResult {
        try Command.run(arguments, environment: environment)
    }

    /// Writes unit files into the sandbox's unit directory and reloads the manager.
    public func install(units: [String: String]) throws {
        for (name, contents) in units {
            try contents.write(toFile: "\(unitDirectory)/\(name)", atomically: true, encoding: .utf8)
        }
        let reload = try systemctl("daemon-reload")
        guard reload.succeeded else { throw SandboxError("daemon-reload failed: \(reload.standardError)") }
    }

    /// Stops every unit, ends the manager, and kills whatever it started that is still alive, by PID.
    public func stop() {
        let started = ProcessTree.descendants(of: managerPID)
        if manager.isRunning {
            _ = try? Command.run(["systemctl", "--user", "--no-block", "exit"], environment: environment)
            let deadline = Date().addingTimeInterval(5)
            while manager.isRunning && Date() < deadline { usleep(20_000) }
        }
        if manager.isRunning { kill(managerPID, SIGKILL) }
        for pid in started + ProcessTree.descendants(of: managerPID) + cgroup.processes() { kill(pid, SIGKILL) }
        manager.wait()
        cgroup.remove()
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
    }
}
