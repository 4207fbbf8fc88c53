import Foundation
import MedicCore
import SystemdBus

/// The changes a correction makes to units: the small protocol the executor acts through, carried
/// out over the bus by `BusUnitActions`.
public protocol UnitActions: Sendable {
    /// Queues a job and waits up to `timeout` seconds for it to end.
    func job(_ verb: SystemdManager.JobVerb, unit: String, timeout: Double) async throws -> JobRunner.Outcome
    func resetFailed(_ unit: String) async throws
    func kill(_ unit: String, whom: String, signal: Int32) async throws
    /// A numeric unit property as systemd reports it (UInt64.max is infinity), nil when absent.
    func property(_ name: String, of unit: String) async throws -> UInt64?
    /// Sets a numeric property at runtime only.
    func setProperty(_ name: String, of unit: String, to value: UInt64) async throws
    /// The unit as the manager reports it now; nil when no such unit is loaded.
    func snapshot(of unit: String) async throws -> UnitSnapshot?
}

/// `UnitActions` over a `JobRunner`'s connection to the manager.
public struct BusUnitActions: UnitActions {
    public let runner: JobRunner

    public init(runner: JobRunner) {
        self.runner = runner
    }

    /// Properties whose bus name differs from the unit-file setting.
    static func busName(_ setting: String) -> String {
        setting == "CPUQuota" ? "CPUQuotaPerSecUSec" : setting
    }

    public func job(_ verb: SystemdManager.JobVerb, unit: String, timeout: Double) async throws -> JobRunner.Outcome {
        try await runner.run(verb, unit: unit, timeout: timeout)
    }

    public func resetFailed(_ unit: String) async throws {
        try await runner.manager.resetFailed(unit: unit)
    }

    public func kill(_ unit: String, whom: String, signal: Int32) async throws {
        try await runner.manager.kill(unit: unit, whom: whom, signal: signal)
    }

    public func property(_ name: String, of unit: String) async throws -> UInt64? {
        let path = try await runner.manager.unitPath(unit)
        let bus = Self.busName(name)
        return try await runner.manager.properties(of: path, keeping: [bus])[bus]?.uint64
    }

    public func setProperty(_ name: String, of unit: String, to value: UInt64) async throws {
        try await runner.manager.setProperties(unit: unit, runtime: true, [(Self.busName(name), .uint64(value))])
    }

    public func snapshot(of unit: String) async throws -> UnitSnapshot? {
        guard let path = try await runner.manager.loadedUnitPath(unit) else { return nil }
        return UnitSnapshot(properties: try await runner.manager.properties(of: path, keeping: UnitSnapshot.healthProperties))
    }
}

/// Works out the value `set-property` writes from the current one.
public enum PropertyArithmetic {
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter attempt: a relative change is applied this many times over (+50 % on the first
    ///   attempt, x2.25 on the second, ...), so that attempts that each start from the value before
    ///   the correction (the last one was rolled back) still reach what the service needs.
    /// - Returns: the new raw value (UInt64.max for infinity), capped by `limit`.
    public static func newValue(for name: String, change: PropertyChange, current: UInt64?, limit: ResourceAmount?, attempt: Int = 1) throws -> UInt64 {
        let cap = try limit.map { try raw($0, for: name) }
        var value: UInt64
        switch change {
        case .absolute(let amount):
            value = try raw(amount, for: name)
        case .relativePercent(let percent):
            guard let current else { throw Unsupported(description: "\(name) has no current value to change by \(percent)%") }
            if current == UInt64.max {
                // Unlimited already: a relative change can only go to the cap.
                guard let cap else { throw Unsupported(description: "\(name) is unlimited; a relative change needs max") }
                value = cap
            } else {
                let scaled = Double(current) * pow(1 + percent / 100, Double(max(1, attempt)))
                value = scaled >= Double(UInt64.max - 1) ? UInt64.max - 1 : UInt64(max(0, scaled.rounded()))
            }
        }
        if let cap, value > cap { value = cap }
        return value
    }

    /// A configured amount as the property's raw value.
    static func raw(_ amount: ResourceAmount, for name: String) throws -> UInt64 {
        switch amount {
        case .infinity: return UInt64.max
        case .bytes(let b): return b
        case .count(let c): return c
        case .percent(let p):
            // CPUQuota: percent of one CPU, as microseconds of CPU time per second.
            guard name == "CPUQuota" else { throw Unsupported(description: "\(name) does not take a percentage here") }
            return UInt64((p * 10_000).rounded())
        }
    }
}
