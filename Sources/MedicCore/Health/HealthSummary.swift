/// Counts of units per health class and the share that is healthy, for status summaries.
public struct HealthSummary: Sendable, Equatable, Codable {
    public var total: Int
    public var healthy: Int
    public var degraded: Int
    public var failed: Int
    public var idle: Int
    public var unknown: Int

    public init(_ units: [UnitHealth]) {
        func count(_ h: Health) -> Int { units.reduce(0) { $0 + ($1.verdict.health == h ? 1 : 0) } }
        total = units.count
        healthy = count(.healthy)
        degraded = count(.degraded)
        failed = count(.failed)
        idle = count(.idle)
        unknown = count(.unknown)
    }

    /// Healthy units as a percentage of all units (100 when there are none).
    public var healthyPercent: Double {
        total == 0 ? 100 : Double(healthy) * 100 / Double(total)
    }
}
