/// A probe as medic.yaml declares it: the units it applies to and what it checks on each.
public struct ProbeRule: Sendable, Equatable {
    public var units: [UnitPattern]
    public var spec: ProbeSpec
    /// Where it was declared ("medic.yaml:12"), for messages.
    public var source: String

    public init(units: [UnitPattern], spec: ProbeSpec, source: String = "") {
        self.units = units
        self.spec = spec
        self.source = source
    }

    /// The probes of `unit`, in the order they were declared.
    public static func specs(of unit: String, in rules: [ProbeRule]) -> [ProbeSpec] {
        rules.filter { UnitPattern.any($0.units, match: unit) }.map(\.spec)
    }
}
