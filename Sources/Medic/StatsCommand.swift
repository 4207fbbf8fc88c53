import ArgumentParser
import Foundation
import MedicCore
import MedicStore

/// `medic stats`: what Medic has learned of each playbook.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "What was learned per playbook and failure signature: attempts, success with its lower bound, time to recover, suppression.",
        discussion: "Dry-runs and escalations never count. --reset forgets a playbook's attempts so far (the daemon picks it up within seconds)."
    )

    @OptionGroup var state: StateOptions

    @Option(name: .customLong("playbook"), help: "Only this playbook.")
    var playbook: String?

    @Flag(name: .customLong("by-unit"), help: "Per playbook and unit instead of per failure signature.")
    var byUnit = false

    @Option(name: .customLong("reset"), help: ArgumentHelp("Forget what was learned of this playbook.", valueName: "playbook"))
    var reset: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        let configuration = try state.configuration()
        if let reset {
            let store = try state.openStore()
            try await store.resetStatistics(playbook: reset, at: Date().timeIntervalSince1970)
            Output.line("statistics of \(reset) reset: its attempts so far no longer count")
            return
        }
        let learned = try await state.existingStore()?.learnedStatistics() ?? LearnedStatistics()
        let policy = configuration.learning
        var rows: [StatsJSON] = []
        if byUnit {
            for (key, stats) in learned.byUnit where playbook == nil || key.playbook == playbook {
                rows.append(StatsJSON(playbook: key.playbook, signature: nil, unit: key.unit, stats, policy: policy, suppressed: nil))
            }
        } else {
            for (key, stats) in learned.bySignature where playbook == nil || key.playbook == playbook {
                // The planner's own test (a pinned playbook is never suppressed: see `medic explain`).
                rows.append(StatsJSON(playbook: key.playbook, signature: key.signature, unit: nil, stats, policy: policy, suppressed: policy.isSuppressed(stats)))
            }
        }
        rows.sort { ($0.playbook, $0.signature ?? $0.unit ?? "") < ($1.playbook, $1.signature ?? $1.unit ?? "") }
        if json {
            struct Document: Encodable { var credibility: Double; var floor: Double; var minAttempts: Int; var statistics: [StatsJSON] }
            Output.json(Document(credibility: policy.credibility, floor: policy.floor, minAttempts: policy.minimumAttempts, statistics: rows), pretty: true)
            return
        }
        guard !rows.isEmpty else {
            Output.line("(nothing learned yet: no real correction has ended\(playbook.map { " for \($0)" } ?? ""))")
            return
        }
        let bound = "AT LEAST (\(Int((policy.credibility * 100).rounded()))%)"
        let header = ["PLAYBOOK", byUnit ? "UNIT" : "SIGNATURE", "ATTEMPTS", "RECOVERED", "ROLLED BACK", "SUCCESS", bound, "TTR P50", "TTR P90"] + (byUnit ? [] : ["STATE"])
        let lines = TextTable.lines(header: header, rows: rows.map { row in
            [row.playbook, row.signature ?? row.unit ?? "", "\(row.attempts)", "\(row.successes)", "\(row.rollbacks)",
             row.successRate.map(Self.percent) ?? "-", Self.percent(row.lowerBound),
             row.recoveryP50.map { FailureDescription.precise($0) } ?? "-", row.recoveryP90.map { FailureDescription.precise($0) } ?? "-"]
                + (byUnit ? [] : [row.suppressed == true ? "suppressed (under \(Self.percent(policy.floor)))" : "in use"])
        })
        for line in lines { Output.line(line) }
    }

    static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }
}

/// One row of `medic stats`.
struct StatsJSON: Encodable {
    var playbook: String
    var signature: String?
    var unit: String?
    var attempts: Int
    var successes: Int
    var rollbacks: Int
    var successRate: Double?
    /// The posterior mean of the success probability (uniform prior).
    var posteriorMean: Double
    var lowerBound: Double
    var recoveryP50: Double?
    var recoveryP90: Double?
    var suppressed: Bool?

    init(playbook: String, signature: String?, unit: String?, _ stats: OutcomeStatistics, policy: LearningPolicy, suppressed: Bool?) {
        self.playbook = playbook
        self.signature = signature
        self.unit = unit
        attempts = stats.attempts
        successes = stats.successes
        rollbacks = stats.rollbacks
        successRate = stats.successRate
        posteriorMean = stats.posterior.mean
        lowerBound = stats.lowerBound(credibility: policy.credibility)
        recoveryP50 = stats.medianRecovery
        recoveryP90 = stats.p90Recovery
        self.suppressed = suppressed
    }
}
