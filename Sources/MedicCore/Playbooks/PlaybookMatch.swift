/// Which units and failures a playbook applies to; every list that is given must match (an empty
/// list places no condition).
public struct PlaybookMatch: Sendable, Equatable {
    public var units: [UnitPattern]
    public var health: [Health]
    /// systemd Result values: exit-code, signal, core-dump, oom-kill, watchdog, timeout, start-limit-hit, ...
    public var results: [String]
    public var exitStatuses: [Int32]
    /// Signal numbers.
    public var signals: [Int32]
    /// Why the unit fails (any of them): flapping, crash-loop, out-of-memory, dependency, ... (`FailureCause`).
    public var causes: [FailureCause]
    /// Names of probes (medic.yaml's `probes:`): the unit's failing probe must be one of them.
    public var probes: [String] = []
    /// A regular expression searched in the unit's recent journal lines.
    public var journal: String?

    public init(units: [UnitPattern] = [], health: [Health] = [], results: [String] = [], causes: [FailureCause] = [], exitStatuses: [Int32] = [], signals: [Int32] = [], journal: String? = nil) {
        self.units = units
        self.health = health
        self.results = results
        self.causes = causes
        self.exitStatuses = exitStatuses
        self.signals = signals
        self.journal = journal
    }

    /// The Result values systemd reports (systemd.exec(5), org.freedesktop.systemd1(5)).
    public static let knownResults: Set<String> = [
        "success", "protocol", "timeout", "exit-code", "signal", "core-dump", "watchdog", "start-limit-hit",
        "resources", "oom-kill", "exec-condition", "failed-precondition", "mount-start-limit-hit", "trigger-limit-hit",
        "service-start-limit-hit", "unit-start-limit-hit",
    ]

    /// Whether the unit's name, health, result, cause, exit status or signal and (when the match
    /// names one) its journal lines satisfy the match; without journal lines a journal condition fails.
    public func matches(_ unit: UnitHealth, journal lines: [String]? = nil) -> Bool {
        guard matchesIgnoringJournal(unit) else { return false }
        if let journal {
            guard let lines, let regex = try? Regex(journal) else { return false }
            return lines.contains { $0.contains(regex) }
        }
        return true
    }

    /// Whether everything but the journal condition holds: when false, the journal need not be read.
    public func matchesIgnoringJournal(_ current: UnitHealth) -> Bool {
        let unit = current.snapshot
        guard units.isEmpty || units.contains(where: { $0.matches(unit.name) }) else { return false }
        guard health.isEmpty || health.contains(current.verdict.health) else { return false }
        guard causes.isEmpty || !FailureCause.of(current).isDisjoint(with: causes) else { return false }
        guard results.isEmpty || unit.result.map(results.contains) == true else { return false }
        let exited = unit.execMainCode == 1, killed = unit.execMainCode == 2 || unit.execMainCode == 3
        guard exitStatuses.isEmpty || (exited && unit.execMainStatus.map(exitStatuses.contains) == true) else { return false }
        guard signals.isEmpty || (killed && unit.execMainStatus.map(signals.contains) == true) else { return false }
        guard probes.isEmpty || (current.verdict.cause == .probe && unit.probe?.name.map(probes.contains) == true) else { return false }
        return true
    }
}
