import ArgumentParser
import Foundation
import MedicCore
import MedicEngine
import MedicStore
import SystemdBus

/// `medic explain UNIT`: why Medic would or would not act on a unit now.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why Medic would or would not act on a unit now: health, budget, playbooks in learned order, guards, protection, and what systemd itself will do.",
        discussion: "Changes nothing. Global limits (concurrent corrections, per minute, mass failures) are applied by the running daemon and not shown."
    )

    @OptionGroup var manager: ManagerOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var playbookOptions: PlaybookOptions

    @Option(name: .customLong("journal-directory"), help: ArgumentHelp("Read journal files from this directory (default: the machine's journal).", valueName: "dir"))
    var journalDirectory: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Argument(help: "The unit (a name without a type gets '.service').")
    var unit: String

    func run() async throws {
        let pattern = try parsePatterns([unit])[0]
        guard !pattern.isGlob else { throw MedicFailure("explain takes one unit name, not a pattern: \(unit)") }
        let configuration = try state.configuration()
        let playbooks = try playbookOptions.load()
        let address = manager.address
        var health: UnitHealth
        let own: SystemdOwnRecovery
        do {
            guard let found = try await StatusReader(address: address, patterns: [pattern], policy: configuration.health).read().first else {
                throw MedicFailure("\(pattern.text) is not loaded")
            }
            health = found
            own = try await SystemdOwnRecoveryReader.read(unit: health.name, address: address)
        } catch let error as BusError {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        }

        let now = Date().timeIntervalSince1970
        let live = DaemonState.read(from: DaemonState.path(besideStore: state.storePath)).flatMap { $0.isLive(now: now) ? $0 : nil }
        // What only the running daemon saw (a start job that failed on a dependency).
        if let live { health = live.adding(health, now: now) }
        let store = try state.existingStore()
        let history = try await store?.pastCorrections() ?? []
        let statistics = LearnedStatistics(history: history, resets: try await store?.statisticsResets() ?? [:])
        var report: SLOReport?
        if let store {
            let knownUntil = SLOQuery.knownUntil(try await store.lastSession(), now: now, heartbeat: 2)
            report = try await SLOQuery(store: store, configuration: configuration).reports(now: now, knownUntil: knownUntil, patterns: [pattern]).first?.report
        }
        let running = try await !(store?.corrections(unit: health.name, openOnly: true).isEmpty ?? true)
        var planner = CorrectionPlanner(playbooks: playbooks, protection: configuration.protection, limits: configuration.limits)
        planner.learning = configuration.learning
        var situation = CorrectionPlanner.Situation(
            unit: health, budget: report?.state, journal: JournalLines(directory: journalDirectory).lines(of: health.name), statistics: statistics,
            guards: GuardState.rebuild(from: history, playbooks: playbooks)[health.name] ?? [:], correctionRunning: running, now: now
        )
        if health.verdict.cause == .dependency, let root = health.snapshot.dependencyFailure?.unit, let rootPattern = try? UnitPattern(root) {
            let rootHealth = try? await StatusReader(address: address, patterns: [rootPattern], policy: configuration.health).read().first
            let rootCorrecting = try await !(store?.corrections(unit: root, openOnly: true).isEmpty ?? true)
            situation.waitForDependency = DependencyRoot.reasonToWait(dependent: health.name, root: root, rootHealth: rootHealth, rootCorrecting: rootCorrecting, planner: planner)
        }
        let explanation = CorrectionExplanation(planner: planner, situation: situation)
        // The running daemon's own decision, holds and limits, rather than what they would be.
        let daemon = live.map { "medic run (pid \($0.pid)): \($0.decision(about: health.name))" }
            ?? "medic run is not running with this state directory: the decision above is what it would start from"
        if json {
            var document = ExplanationJSON(explanation, report: report, own: own, policy: configuration.learning)
            document.medicRun = live.map { ExplanationJSON.MedicRun(pid: $0.pid, decision: $0.decision(about: health.name), limits: $0.decisions.limits) }
            Output.json(document, pretty: true)
        } else {
            for line in Self.lines(explanation, report: report, own: own, policy: configuration.learning) { Output.line(line) }
            Output.line(daemon)
        }
    }

    static func lines(_ e: CorrectionExplanation, report: SLOReport?, own: SystemdOwnRecovery, policy: LearningPolicy) -> [String] {
        var lines = [
            "\(e.unit): \(e.health.rawValue): \(e.reason)",
            "failure signature: \(e.signature.key)",
            "protected: \(e.isProtected ? "yes: Medic never acts on it" : "no")",
            "SLO: " + (report.map(TriggerDescription.budget) ?? "no history yet (medic run keeps it)"),
        ]
        if e.candidates.isEmpty {
            lines.append("playbooks: none matches this unit in its current state")
        } else {
            lines.append("playbooks that match, in the order Medic would try them:")
            for (index, c) in e.candidates.enumerated() {
                lines.append("  \(index + 1). \(c.name) (priority \(c.priority)\(c.pinned ? ", pinned" : ""), trigger \(c.trigger.rawValue): \(c.triggerMet ? "met" : "not met"))")
                lines.append("     learned: " + learned(c, policy: policy))
                lines.append("     guard: " + guardText(c))
                if let suppressed = c.suppressed { lines.append("     \(suppressed)") }
            }
        }
        lines.append("systemd itself:")
        let own = own.explanation
        lines += own.isEmpty ? ["  nothing: it does not restart this unit on its own"] : own.map { "  " + $0 }
        lines.append("decision: \(e.verdict)")
        return lines
    }

    static func learned(_ c: CorrectionExplanation.Candidate, policy: LearningPolicy) -> String {
        let s = c.statistics
        let credibility = "\(Int((policy.credibility * 100).rounded()))%"
        guard s.attempts > 0 else { return "nothing yet for this failure" + (c.score.map { " (score \(String(format: "%.2f", $0)))" } ?? "") }
        var text = "\(s.successes) of \(s.attempts) recovered for this failure, success at least \(StatsCommand.percent(c.lowerBound)) with \(credibility) credibility"
        if let median = s.medianRecovery { text += ", recovers in \(FailureDescription.precise(median)) (median)" }
        if let score = c.score { text += " (score \(String(format: "%.2f", score)))" }
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

/// `medic explain --json`.
struct ExplanationJSON: Encodable {
    var unit: String
    var health: String
    var reason: String
    var signature: String
    var protected: Bool
    var budget: String?
    var budgetRemainingPercent: Double?
    var playbooks: [Candidate]
    var systemd: [String]
    var decision: String
    /// The running daemon's own decision about the unit; nil when it is not running.
    var medicRun: MedicRun?

    struct MedicRun: Encodable {
        var pid: Int32
        var decision: String
        var limits: CorrectionDecisions.Limits
    }

    struct Candidate: Encodable {
        var name: String
        var priority: Int
        var pinned: Bool
        var trigger: String
        var triggerMet: Bool
        var attempts: Int
        var successes: Int
        var lowerBound: Double
        var score: Double?
        var suppressed: String?
        var attemptsInWindow: Int
        var maxAttempts: Int
        var nextAllowed: String?
        var quarantined: Bool
    }

    init(_ e: CorrectionExplanation, report: SLOReport?, own: SystemdOwnRecovery, policy: LearningPolicy) {
        unit = e.unit
        health = e.health.rawValue
        reason = e.reason
        signature = e.signature.key
        protected = e.isProtected
        budget = report?.state.rawValue
        budgetRemainingPercent = report?.remainingPercent
        playbooks = e.candidates.map { c in
            Candidate(name: c.name, priority: c.priority, pinned: c.pinned, trigger: c.trigger.rawValue, triggerMet: c.triggerMet,
                      attempts: c.statistics.attempts, successes: c.statistics.successes, lowerBound: c.lowerBound, score: c.score,
                      suppressed: c.suppressed, attemptsInWindow: c.attempts, maxAttempts: c.maxAttempts,
                      nextAllowed: c.nextAllowed.map { Timestamp.rfc3339(seconds: $0) }, quarantined: c.quarantined)
        }
        systemd = own.explanation
        decision = e.verdict
    }
}
