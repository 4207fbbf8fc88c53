import Foundation
import SystemdSandbox

/// Runs the `medic` executable built next to the tests, as an operator would.
public enum MedicBinary {
    /// `$MEDIC_BINARY`, else `medic` beside the test bundle in the build directory.
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["MEDIC_BINARY"] { return explicit }
        let tests = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: tests).deletingLastPathComponent().appendingPathComponent("medic").path
    }

    /// Runs `medic` with `arguments` in the sandbox's environment.
    public static func run(_ arguments: [String], in sandbox: SystemdSandbox? = nil) throws -> CommandResult {
        try Command.run([path] + arguments, environment: sandbox?.environment ?? ProcessInfo.processInfo.environment)
    }

    /// Runs `medic status --json` against the sandbox and decodes its document.
    public static func status(_ patterns: [String], in sandbox: SystemdSandbox) throws -> StatusDocument {
        let result = try run(["status", "--json", "--bus-address", sandbox.busAddress] + patterns, in: sandbox)
        guard let data = result.standardOutput.data(using: .utf8),
              var document = try? JSONDecoder().decode(StatusDocument.self, from: data)
        else { throw SandboxError("medic status printed no JSON (exit \(result.status)): \(result.standardError)") }
        document.exitStatus = result.status
        return document
    }
}

/// `medic status --json` as decoded by tests.
public struct StatusDocument: Decodable, Sendable {
    public struct Unit: Decodable, Sendable {
        public var unit: String
        public var health: String
        public var activeState: String
        public var subState: String
        public var loadState: String
        public var result: String?
        public var exitStatus: Int32?
        public var signal: String?
        public var restarts: UInt32?
        public var reason: String
        public var slo: Budget?
    }

    /// The SLO columns, present when a history store is.
    public struct Budget: Decodable, Sendable {
        public var state: String
        public var alertLevel: String
        public var sli: Double?
        public var remainingPercent: Double
    }

    public struct Summary: Decodable, Sendable {
        public var total, healthy, degraded, failed, idle, unknown: Int
        public var healthyPercent: Double
    }

    public var units: [Unit]
    public var summary: Summary
    public var exitStatus: Int32 = -1

    enum CodingKeys: String, CodingKey { case units, summary }

    public func unit(_ name: String) -> Unit? { units.first { $0.unit == name } }
}
