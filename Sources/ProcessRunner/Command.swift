import Foundation

/// The outcome of a finished command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    /// True when the command exited with status 0.
    public var succeeded: Bool { status == 0 }
}

/// Runs programs as argv lists (never through a shell) and collects their output.
public enum Command {
    /// Runs `arguments[0]` (a path, or a name looked up in PATH) and waits for it to exit.
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
        let child = try ChildProcess.spawn(
            arguments,
            environment: environment ?? ProcessInfo.processInfo.environment,
            standardOutput: .pipe,
            standardError: .pipe
        )
        // Drain stderr on another thread so a chatty child cannot block on a full pipe.
        let errorFD = child.standardError
        let errorText = ErrorText()
        let reader = Thread { errorText.set(ChildProcess.readAll(errorFD)) }
        reader.start()
        let output = ChildProcess.readAll(child.standardOutput)
        let status = child.wait()
        errorText.waitUntilSet()
        return CommandResult(status: status, standardOutput: String(decoding: output, as: UTF8.self), standardError: errorText.text)
    }

    /// The absolute path of `program`, searching PATH when it has no slash.
    public static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessError("\(program) not found in PATH")
    }
}

/// Text handed from a reader thread, with a wait for it.
private final class ErrorText: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: String?

    func set(_ data: Data) {
        condition.lock()
        value = String(decoding: data, as: UTF8.self)
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilSet() {
        condition.lock()
        while value == nil { condition.wait() }
        condition.unlock()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return value ?? ""
    }
}
