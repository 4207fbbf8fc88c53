import Foundation
import SystemdSandbox

/// `medic slo --json` as decoded by tests.
public struct SLODocument: Decodable, Sendable {
    public struct Unit: Decodable, Sendable {
        public var unit: String
        public var objective: Double
        public var window: Double
        public var sli: Double?
        public var windowFilled: Bool
        public var observedSeconds: Double
        public var goodSeconds, badSeconds, excludedSeconds, unknownSeconds: Double
        public var budgetSeconds, consumedSeconds, remainingSeconds, remainingPercent: Double
        public var burnRates: [String: Double?]
        public var burnRateCoverage: [String: Double]
        public var state: String
        public var alertLevel: String
        public var timeToExhaustionSeconds: Double?
    }

    public var units: [Unit]
    public var knownUntil: String
    public var exitStatus: Int32 = -1

    enum CodingKeys: String, CodingKey { case units, knownUntil }

    public func unit(_ name: String) -> Unit? { units.first { $0.unit == name } }

    /// `knownUntil` as seconds since the epoch.
    public var knownUntilSeconds: Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: knownUntil)?.timeIntervalSince1970 ?? 0
    }

    /// Runs `medic slo --json` with the given configuration and state directory.
    public static func read(config: String, stateDirectory: String) throws -> SLODocument {
        let result = try MedicBinary.run(["slo", "--json", "--config", config, "--state-dir", stateDirectory])
        guard var document = try? JSONDecoder().decode(SLODocument.self, from: Data(result.standardOutput.utf8)) else {
            throw SandboxError("medic slo printed no JSON (exit \(result.status)): \(result.standardError)")
        }
        document.exitStatus = result.status
        return document
    }
}
