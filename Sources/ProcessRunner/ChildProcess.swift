import Foundation

private let spawnLock = NSLock()

/// A child process started with posix_spawn from an argv list (never a shell), which this process
/// reaps itself with waitpid: no run loop or SIGCHLD handler is involved, so it is safe to use from
/// any thread or task.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's output streams goes.
    public enum Destination: Sendable {
        case null
        case pipe
        case file(String)
    }

    public let pid: pid_t
    /// Read ends of the child's stdout/stderr when they were `.pipe`d, else -1.
    public let standardOutput: Int32
    public let standardError: Int32
    private let lock = NSLock()
    private var exitStatus: Int32?

    private init(pid: pid_t, standardOutput: Int32, standardError: Int32) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    deinit {
        if standardOutput >= 0 { Glibc.close(standardOutput) }
        if standardError >= 0 { Glibc.close(standardError) }
    }

    /// Starts `arguments[0]` (a path, or a name looked up in PATH). With `ownProcessGroup` the child
    /// leads a new process group (its id is the child's pid), so `signalGroup` reaches everything it
    /// starts that stays in the group, and it starts with default signal handling.
    public static func spawn(
        _ arguments: [String],
        environment: [String: String],
        standardOutput: Destination = .null,
        standardError: Destination = .null,
        ownProcessGroup: Bool = false
    ) throws -> ChildProcess {
        guard let program = arguments.first else { throw ProcessError("no command given") }
        let path = try Command.resolve(program)
        // pipe() and FD_CLOEXEC are two steps: no other spawn may run in between, or it would inherit
        // the write end and keep our reader from ever seeing end-of-file.
        spawnLock.lock()
        defer { spawnLock.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var parentEnds: [Int32] = [-1, -1]
        var childEnds: [Int32] = []
        defer { childEnds.forEach { Glibc.close($0) } }
        for (index, (fd, destination)) in [(Int32(1), standardOutput), (Int32(2), standardError)].enumerated() {
            switch destination {
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let file):
                posix_spawn_file_actions_addopen(&actions, fd, file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else {
                    throw ProcessError("cannot create a pipe: \(String(cString: strerror(errno)))")
                }
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                parentEnds[index] = ends[0]
                childEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], fd)
            }
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownProcessGroup {
            // A contained command also starts with every signal at its default and none blocked,
            // whatever this process does with them (the daemon ignores SIGTERM to handle it itself,
            // and exec would keep that), so that SIGTERM to its group ends it.
            var defaults = sigset_t()
            sigfillset(&defaults)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setsigmask(&attributes, &unblocked)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            parentEnds.filter { $0 >= 0 }.forEach { Glibc.close($0) }
            throw ProcessError("cannot start \(program): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, standardOutput: parentEnds[0], standardError: parentEnds[1])
    }

    /// True until the child has exited (reaping it when it has).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { exitStatus = Self.decode(status); return false }
        return r == 0
    }

    /// Waits for the child to exit; returns its exit status, or 128 + the signal that killed it.
    /// The wait itself holds no lock (it leaves the child unreaped), so `signal` works meanwhile.
    @discardableResult
    public func wait() -> Int32 {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// Sends a signal to the child if it has not been reaped yet (so the pid is still its own).
    public func signal(_ number: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { kill(pid, number) }
    }

    /// True while a process of the child's group (spawned with `ownProcessGroup`) is still running:
    /// zombies, which run nothing and wait only for their reaper, do not count. Reaps the child
    /// itself when it has exited.
    public func groupHasLiveMembers() -> Bool {
        _ = isRunning
        guard kill(-pid, 0) == 0 else { return false }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        for entry in entries where entry.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After the command name: state, ppid, pgrp.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, fields[2] == "\(pid)", fields[0] != "Z" { return true }
        }
        return false
    }

    /// Sends a signal to every process in the child's group (spawned with `ownProcessGroup`).
    /// Returns false when the group has no process left.
    @discardableResult
    public func signalGroup(_ number: Int32) -> Bool {
        kill(-pid, number) == 0
    }

    /// W* macros do not import into Swift: low 7 bits are the signal, the next byte the exit code.
    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Reads a pipe to its end.
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            return data
        }
    }
}
