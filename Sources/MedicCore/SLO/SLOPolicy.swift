/// Which SLO applies to which unit: the first override whose pattern matches, else the default.
public struct SLOPolicy: Sendable, Equatable {
    /// An SLO for the units matching a pattern.
    public struct Override: Sendable, Equatable {
        public var pattern: UnitPattern
        public var spec: SLOSpec

        public init(pattern: UnitPattern, spec: SLOSpec) {
            self.pattern = pattern
            self.spec = spec
        }
    }

    public var defaultSpec: SLOSpec
    public var overrides: [Override]

    public init(defaultSpec: SLOSpec = .standard, overrides: [Override] = []) {
        self.defaultSpec = defaultSpec
        self.overrides = overrides
    }

    public func spec(for unit: String) -> SLOSpec {
        overrides.first { $0.pattern.matches(unit) }?.spec ?? defaultSpec
    }

    /// The longest window any unit is judged over: raw history is kept at least this long.
    public var longestWindow: Double {
        ([defaultSpec] + overrides.map(\.spec)).flatMap { spec in [spec.window] + spec.rules.map(\.longWindow) }.max() ?? defaultSpec.window
    }
}
