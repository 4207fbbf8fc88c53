import Foundation
import SystemdSandbox

/// `medic watch --json` running against a sandbox, with its transitions readable as they arrive.
public final class WatchProcess: @unchecked Sendable {
    public let child: ChildProcess
    public let output: LineReader
    public let errors: LineReader
    private var cursor = 0

    /// A transition line as the test reads it.
    public struct Transition: Decodable, Sendable {
        public var time: String
        public var unit: String
        public var from: String?
        public var to: String
        public var reason: String
        public var activeState: String
        public var subState: String
        public var result: String?
    }

    /// Starts the watch and waits until it has its snapshot ("watching N units" on stderr).
    /// `format` replaces `--json` (e.g. `--color always` for the human lines).
    public init(_ patterns: [String], in sandbox: SystemdSandbox, format: [String] = ["--json"], readyTimeout: Double = 30) throws {
        child = try ChildProcess.spawn(
            [MedicBinary.path, "watch"] + format + ["--bus-address", sandbox.busAddress] + patterns,
            environment: sandbox.environment, standardOutput: .pipe, standardError: .pipe
        )
        output = LineReader(fd: child.standardOutput)
        errors = LineReader(fd: child.standardError)
        guard errors.waitFor(timeout: readyTimeout, { $0.contains("watching") }) != nil else {
            stop()
            throw SandboxError("medic watch did not become ready: \(errors.all.joined(separator: "\n"))")
        }
    }

    /// Waits for the next transition of `unit` to `health` (optionally with a reason containing `reason`),
    /// skipping earlier lines; nil when none arrives within `timeout` seconds.
    public func waitForTransition(unit: String, to health: String, reasonContains reason: String? = nil, timeout: Double = 30) -> Transition? {
        let found = output.waitFor(from: cursor, timeout: timeout) { line in
            guard let t = Self.decode(line) else { return false }
            return t.unit == unit && t.to == health && (reason.map { t.reason.contains($0) } ?? true)
        }
        guard let found else { return nil }
        cursor = found.index + 1
        return Self.decode(found.line)
    }

    /// Waits for a stderr line containing `text`.
    public func waitForMessage(_ text: String, timeout: Double = 30) -> String? {
        errors.waitFor(timeout: timeout) { $0.contains(text) }?.line
    }

    /// Every transition line so far, decoded.
    public var transitions: [Transition] { output.all.compactMap(Self.decode) }

    public func stop() {
        child.signal(SIGTERM)
        child.wait()
    }

    deinit { stop() }

    private static func decode(_ line: String) -> Transition? {
        try? JSONDecoder().decode(Transition.self, from: Data(line.utf8))
    }
}
