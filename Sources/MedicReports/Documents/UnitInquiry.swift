import MedicConfig
import MedicCore
import MedicEngine
import MedicStore
import SystemdBus

/// Everything `medic explain` and the dashboard's explain say about one unit: its health read from
/// systemd now, its budget, the playbooks in the order Medic would try them with their guards, what
/// systemd itself will do, and the running daemon's own decision. Changes nothing.
public struct UnitInquiry: Sendable {
    public var explanation: CorrectionExplanation
    public var report: SLOReport?
    public var own: SystemdOwnRecovery
    /// The running daemon's live state; nil when none is running with this state directory.
    public var live: DaemonState?
    public var policy: LearningPolicy
    /// What the unit's active probes say (from the running daemon), when it has any.
    public var probe: ProbeState?

    /// Why an inquiry could not be made.
    public enum Failure: Error, Sendable {
        case notLoaded(String)
        case bus(BusError)
    }

    /// Asks systemd at `address` about `pattern` (one unit name) and puts it to the planner.
    public static func make(unit pattern: UnitPattern, address: BusAddress, configuration: MedicConfiguration, playbooks: [Playbook],
                            store: MedicStore?, statePath: String, journal: JournalLines, now: Double) async throws -> UnitInquiry {
        var health: UnitHealth
        let own: SystemdOwnRecovery
        do {
            guard let found = try await StatusReader(address: address, patterns: [pattern], policy: configuration.health).read().first else {
                throw Failure.notLoaded(pattern.text)
            }
            health = found
            own = try await SystemdOwnRecoveryReader.read(unit: health.name, address: address)
        } catch let error as BusError {
            throw Failure.bus(error)
        }
        let live = DaemonState.read(from: statePath).flatMap { $0.isLive(now: now) ? $0 : nil }
        // What only the running daemon saw (a start job that failed on a dependency).
        if let live { health = live.adding(health, now: now) }
        let history = try await store?.pastCorrections() ?? []
        let statistics = LearnedStatistics(history: history, resets: try await store?.statisticsResets() ?? [:])
        var report: SLOReport?
        // Only watched units have budgets; read from this unit's rows alone.
        if let store, configuration.watches(health.name) {
            let knownUntil = SLOQuery.knownUntil(try await store.lastSession(), now: now, heartbeat: 2)
            report = try await UnitBudgetHistory.read(health.name, query: SLOQuery(store: store, configuration: configuration), now: now, knownUntil: knownUntil).report
        }
        let running = try await !(store?.corrections(unit: health.name, openOnly: true).isEmpty ?? true)
        var planner = CorrectionPlanner(playbooks: playbooks, protection: configuration.protection, limits: configuration.limits)
        planner.learning = configuration.learning
        var situation = CorrectionPlanner.Situation(
            unit: health, budget: report?.state, journal: journal.lines(of: health.name), statistics: statistics,
            guards: GuardState.rebuild(from: history, playbooks: playbooks)[health.name] ?? [:], correctionRunning: running, now: now
        )
        if health.verdict.cause == .dependency, let root = health.snapshot.dependencyFailure?.unit, let rootPattern = try? UnitPattern(root) {
            let rootHealth = try? await StatusReader(address: address, patterns: [rootPattern], policy: configuration.health).read().first
            let rootCorrecting = try await !(store?.corrections(unit: root, openOnly: true).isEmpty ?? true)
            situation.waitForDependency = DependencyRoot.reasonToWait(dependent: health.name, root: root, rootHealth: rootHealth, rootCorrecting: rootCorrecting, planner: planner)
        }
        return UnitInquiry(explanation: CorrectionExplanation(planner: planner, situation: situation), report: report, own: own, live: live, policy: configuration.learning,
                           probe: health.snapshot.probe)
    }

    /// The explanation as `medic explain` prints it, ending with the running daemon's decision.
    public var lines: [String] {
        let e = explanation
        var lines = [
            "\(e.unit): \(HealthVerdict(e.health, e.reason).text)",
            "failure signature: \(e.signature.key)",
            "protected: \(e.isProtected ? "yes: Medic never acts on it" : "no")",
            "SLO: " + (report.map(TriggerDescription.budget) ?? "no history yet (medic run keeps it)"),
        ]
        if let probe { lines.append("probe: \(probe.summary)") }
        if e.candidates.isEmpty {
            lines.append("playbooks: none matches this unit in its current state")
        } else {
            lines.append("playbooks that match, in the order Medic would try them:")
            for (index, c) in e.candidates.enumerated() {
                lines.append("  \(index + 1). \(c.name) (priority \(c.priority)\(c.pinned ? ", pinned" : ""), trigger \(c.trigger.rawValue): \(c.triggerMet ? "met" : "not met"))")
                lines.append("     learned: " + Self.learned(c, policy: policy))
                lines.append("     guard: " + Self.guardText(c))
                if let suppressed = c.suppressed { lines.append("     \(suppressed)") }
            }
        }
        lines.append("systemd itself:")
        let ownLines = own.explanation
        lines += ownLines.isEmpty ? ["  nothing: it does not restart this unit on its own"] : ownLines.map { "  " + $0 }
        lines.append("decision: \(e.verdict)")
        lines.append(live.map { "medic run (pid \($0.pid)): \($0.decision(about: e.unit))" }
            ?? "medic run is not running with this state directory: the decision above is what it would start from")
        return lines
    }

    static func learned(_ c: CorrectionExplanation.Candidate, policy: LearningPolicy) -> String {
        let s = c.statistics
        let credibility = "\(Int((policy.credibility * 100).rounded()))%"
        guard s.attempts > 0 else { return "nothing yet for this failure" + (c.score.map { " (score \(NumberText.fixed($0, digits: 2)))" } ?? "") }
        var text = "\(s.successes) of \(s.attempts) recovered for this failure, success at least \(NumberText.percent(c.lowerBound)) with \(credibility) credibility"
        if let median = s.medianRecovery { text += ", recovers in \(FailureDescription.precise(median)) (median)" }
        if let score = c.score { text += " (score \(NumberText.fixed(score, digits: 2)))" }
        return text
    }

    static func guardText(_ c: CorrectionExplanation.Candidate) -> String {
        if c.quarantined { return "quarantined after \(c.maxAttempts) attempts: a person must lift it" }
        var text = "\(c.attempts) of \(c.maxAttempts) attempts used in its window"
        if c.backoff > 0 { text += ", backoff \(FailureDescription.precise(c.backoff))" }
        text += c.nextAllowed.map { ", may try again at \(Timestamp.rfc3339(seconds: $0))" } ?? ", may act now"
        return text
    }
}
