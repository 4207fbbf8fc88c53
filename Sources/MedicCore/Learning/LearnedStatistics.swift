/// Outcome statistics per (playbook, failure signature) and per (playbook, unit), derived from the
/// correction history; a reset of a playbook drops the attempts it made before the reset. Pure.
public struct LearnedStatistics: Sendable, Equatable {
    /// A playbook on one failure signature.
    public struct SignatureKey: Sendable, Hashable {
        public var playbook: String
        public var signature: String

        public init(playbook: String, signature: String) {
            self.playbook = playbook
            self.signature = signature
        }
    }

    /// A playbook on one unit.
    public struct UnitKey: Sendable, Hashable {
        public var playbook: String
        public var unit: String

        public init(playbook: String, unit: String) {
            self.playbook = playbook
            self.unit = unit
        }
    }

    public private(set) var bySignature: [SignatureKey: OutcomeStatistics] = [:]
    public private(set) var byUnit: [UnitKey: OutcomeStatistics] = [:]
    /// When each playbook's statistics were last reset (seconds since the epoch).
    public private(set) var resets: [String: Double] = [:]

    public init() {}

    /// - Parameters:
    ///   - history: attempts in any order.
    ///   - resets: per playbook, the time before which its attempts are forgotten.
    public init(history: [PastCorrection], resets: [String: Double] = [:]) {
        self.resets = resets
        for correction in history { record(correction) }
    }

    /// Counts one more attempt (ignored when it teaches nothing or predates its playbook's reset).
    public mutating func record(_ correction: PastCorrection) {
        guard correction.outcome.isLearnedFrom else { return }
        if let reset = resets[correction.playbook], correction.startedAt < reset { return }
        bySignature[SignatureKey(playbook: correction.playbook, signature: correction.signature), default: OutcomeStatistics()]
            .record(correction.outcome, recoverySeconds: correction.recoverySeconds)
        byUnit[UnitKey(playbook: correction.playbook, unit: correction.unit), default: OutcomeStatistics()]
            .record(correction.outcome, recoverySeconds: correction.recoverySeconds)
    }

    /// Forgets everything learned about a playbook, from `time` on.
    public mutating func reset(playbook: String, at time: Double) {
        resets[playbook] = time
        bySignature = bySignature.filter { $0.key.playbook != playbook }
        byUnit = byUnit.filter { $0.key.playbook != playbook }
    }

    public func statistics(playbook: String, signature: String) -> OutcomeStatistics {
        bySignature[SignatureKey(playbook: playbook, signature: signature)] ?? OutcomeStatistics()
    }

    public func statistics(playbook: String, unit: String) -> OutcomeStatistics {
        byUnit[UnitKey(playbook: playbook, unit: unit)] ?? OutcomeStatistics()
    }
}
