import Foundation
import MedicCore
import MedicTestSupport
import Testing

@Suite("Beta posterior")
struct BetaDistributionTests {
    @Test("quantiles match closed forms", arguments: [0.01, 0.05, 0.1, 0.5, 0.9, 0.99])
    func closedForms(p: Double) {
        #expect(abs(BetaDistribution(alpha: 1, beta: 1).quantile(p) - p) < 1e-9)
        #expect(abs(BetaDistribution(alpha: 2, beta: 1).quantile(p) - p.squareRoot()) < 1e-9)
        #expect(abs(BetaDistribution(alpha: 1, beta: 2).quantile(p) - (1 - (1 - p).squareRoot())) < 1e-9)
        #expect(abs(BetaDistribution(alpha: 1, beta: 4).quantile(p) - (1 - pow(1 - p, 0.25))) < 1e-9)
        // The arcsine distribution.
        #expect(abs(BetaDistribution(alpha: 0.5, beta: 0.5).cdf(p) - 2 / Double.pi * asin(p.squareRoot())) < 1e-9)
    }

    @Test("the cdf agrees with numerical integration of the density", arguments: [(3.0, 5.0), (1.5, 0.8), (10.0, 2.0), (30.0, 40.0)])
    func cdf(alpha: Double, beta: Double) {
        let distribution = BetaDistribution(alpha: alpha, beta: beta)
        let logNorm = lgamma(alpha + beta) - lgamma(alpha) - lgamma(beta)
        func density(_ x: Double) -> Double { exp(logNorm + (alpha - 1) * log(x) + (beta - 1) * log(1 - x)) }
        for x in [0.1, 0.25, 0.4, 0.6, 0.85] {
            // Simpson's rule on [0.02, x] plus the exact-enough head, fine grid.
            let steps = 20_000
            let start = 1e-9
            let h = (x - start) / Double(steps)
            var sum = density(start) + density(x)
            for i in 1..<steps { sum += density(start + Double(i) * h) * (i % 2 == 1 ? 4 : 2) }
            let integral = sum * h / 3
            #expect(abs(distribution.cdf(x) - integral) < 1e-6, "I_\(x)(\(alpha), \(beta))")
        }
        #expect(distribution.cdf(0) == 0)
        #expect(distribution.cdf(1) == 1)
        #expect(abs(distribution.cdf(distribution.quantile(0.3)) - 0.3) < 1e-9)
    }

    @Test("the posterior after s successes and f failures is Beta(s + 1, f + 1)")
    func posterior() {
        let beta = BetaDistribution(successes: 3, failures: 1)
        #expect(beta.alpha == 4 && beta.beta == 2)
        #expect(abs(beta.mean - 4.0 / 6.0) < 1e-12)
        #expect(abs(BetaDistribution(alpha: 5, beta: 5).quantile(0.5) - 0.5) < 1e-9)
    }
}

@Suite("Outcome statistics")
struct OutcomeStatisticsTests {
    @Test("only real attempts that ended count; dry-runs, escalations and open ones never do")
    func counting() {
        var stats = OutcomeStatistics()
        for outcome in [CorrectionOutcome.dryRun, .escalated, .open, .dryRun] { stats.record(outcome, recoverySeconds: 1) }
        #expect(stats.attempts == 0)
        #expect(stats.successRate == nil)
        stats.record(.recovered, recoverySeconds: 4)
        stats.record(.rolledBack, recoverySeconds: nil)
        stats.record(.failed, recoverySeconds: nil)
        stats.record(.recovered, recoverySeconds: 2)
        #expect(stats.attempts == 4 && stats.successes == 2 && stats.rollbacks == 1 && stats.failures == 2)
        #expect(stats.successRate == 0.5)
        #expect(stats.recoveryTimes == [4, 2])
        #expect(abs(stats.lowerBound(credibility: 0.9) - BetaDistribution(alpha: 3, beta: 3).quantile(0.1)) < 1e-12)
    }

    @Test("time to recover: nearest-rank median and p90")
    func percentiles() {
        var stats = OutcomeStatistics()
        #expect(stats.medianRecovery == nil)
        for seconds in [9.0, 1, 8, 2, 7, 3, 6, 4, 5, 10] { stats.record(.recovered, recoverySeconds: seconds) }
        #expect(stats.medianRecovery == 5)
        #expect(stats.p90Recovery == 9)
        var one = OutcomeStatistics()
        one.record(.recovered, recoverySeconds: 3)
        #expect(one.medianRecovery == 3 && one.p90Recovery == 3)
    }

    @Test("statistics per signature and per unit; a reset forgets a playbook's earlier attempts")
    func learned() {
        let history = [
            PastCorrection(unit: "a.service", playbook: "restart", signature: "exit-code:status=3", outcome: .recovered, startedAt: 10),
            PastCorrection(unit: "b.service", playbook: "restart", signature: "exit-code:status=3", outcome: .rolledBack, startedAt: 20),
            PastCorrection(unit: "a.service", playbook: "restart", signature: "signal:SIGKILL", outcome: .recovered, startedAt: 30),
            PastCorrection(unit: "a.service", playbook: "memory", signature: "oom-kill", outcome: .dryRun, startedAt: 40),
        ]
        var learned = LearnedStatistics(history: history)
        #expect(learned.statistics(playbook: "restart", signature: "exit-code:status=3").attempts == 2)
        #expect(learned.statistics(playbook: "restart", unit: "a.service").successes == 2)
        #expect(learned.statistics(playbook: "memory", signature: "oom-kill").attempts == 0)
        learned.reset(playbook: "restart", at: 25)
        #expect(learned.statistics(playbook: "restart", unit: "a.service").attempts == 0)
        learned.record(history[0])
        #expect(learned.statistics(playbook: "restart", unit: "a.service").attempts == 0, "an attempt from before the reset stays forgotten")
        let rebuilt = LearnedStatistics(history: history, resets: ["restart": 25])
        #expect(rebuilt.statistics(playbook: "restart", signature: "signal:SIGKILL").attempts == 1)
        #expect(rebuilt.statistics(playbook: "restart", signature: "exit-code:status=3").attempts == 0)
    }
}

@Suite("Failure signatures")
struct FailureSignatureTests {
    func signature(_ result: String?, code: Int32? = nil, status: Int32? = nil, active: String = "failed", journal: [String]? = nil) -> FailureSignature {
        let s = unit(active, active == "failed" ? "failed" : "running", result: result, code: code, status: status)
        return FailureSignature(s, verdict: HealthClassifier().classify(s, now: now), journal: journal)
    }

    @Test("systemd's Result with its exit status or signal", arguments: [
        ("exit-code", Int32(1), Int32(3), "exit-code:status=3"),
        ("signal", 2, 9, "signal:SIGKILL"),
        ("core-dump", 3, 11, "core-dump:SIGSEGV"),
        ("oom-kill", 2, 9, "oom-kill"),
        ("watchdog", 2, 6, "watchdog"),
        ("timeout", 1, 0, "timeout"),
        ("start-limit-hit", 1, 0, "start-limit-hit"),
    ])
    func results(result: String, code: Int32, status: Int32, key: String) {
        #expect(signature(result, code: code, status: status).key == key)
    }

    @Test("without a systemd failure the health cause names it")
    func cause() {
        let s = unit("active", "running") { $0.restartCount = 5; $0.restartPolicy = "always"; $0.execMainStartMicros = micros(ago: 5) }
        let verdict = HealthVerdict(.degraded, "flapping", cause: .flapping)
        #expect(FailureSignature(s, verdict: verdict, journal: nil).key == "degraded:flapping")
    }

    @Test("the same error with other numbers, ids, paths and times is the same failure; another error is not")
    func journal() {
        let a = signature("exit-code", code: 1, status: 1, journal: [
            "starting worker 12", "2026-11-25T10:00:01Z error: cannot open /srv/a/data.db: errno 13 (id 0x7f3a)",
        ])
        let b = signature("exit-code", code: 1, status: 1, journal: [
            "starting worker 99", "2026-12-01T23:59:59Z error: cannot open /var/lib/b/x.db: errno 2 (id 0xdeadbeef)",
        ])
        let c = signature("exit-code", code: 1, status: 1, journal: ["fatal: listen tcp :8080: address already in use"])
        let quiet = signature("exit-code", code: 1, status: 1, journal: ["all good", "bye"])
        #expect(a.journalHash != nil)
        let repeated = signature("exit-code", code: 1, status: 1, journal: [
            "2026-11-25T10:00:01Z error: cannot open /srv/a/data.db: errno 13 (id 0x7f3a)", "starting worker 13",
            "2026-11-25T10:00:02Z error: cannot open /srv/a/data.db: errno 13 (id 0x7f3b)",
        ])
        #expect(repeated == a, "a failure that repeats keeps its fingerprint")
        #expect(a == b)
        #expect(a != c)
        #expect(quiet.journalHash == nil)
        #expect(quiet.key == "exit-code:status=1")
        #expect(a.key.hasPrefix("exit-code:status=1#"))
        #expect(FailureSignature(key: a.key) == a)
        #expect(FailureSignature(key: quiet.key) == quiet)
    }

    @Test("masking", arguments: [
        ("error at 12:30:01.5: code 42", "error at <time>: code <n>"),
        ("request 3f2a9c1d-0b4e-4c5f-9a7b-1c2d3e4f5a6b failed", "request <uuid> failed"),
        ("segfault at 0x7ffd1234 in   libfoo", "segfault at <hex> in libfoo"),
        ("commit deadbeef1234 refused", "commit <hex> refused"),
        ("cannot open /etc/app/app.conf: denied", "cannot open <path>: denied"),
        ("took 1.25s", "took <n>s"),
    ])
    func masking(line: String, masked: String) {
        #expect(JournalFingerprint.mask(line) == masked)
    }
}

@Suite("Learning which playbook to try first")
struct LearningPolicyTests {
    let restart = Playbook(name: "restart", priority: 50, steps: [.restart])
    let reset = Playbook(name: "reset", priority: 10, steps: [.resetFailed, .start])
    let signature = "exit-code:status=3"

    func history(_ outcomes: [(String, CorrectionOutcome)]) -> LearnedStatistics {
        LearnedStatistics(history: outcomes.enumerated().map { index, entry in
            PastCorrection(unit: "u\(index).service", playbook: entry.0, signature: signature, outcome: entry.1, startedAt: Double(index))
        })
    }

    @Test("with nothing learned the declared priority decides")
    func declared() {
        let ranked = LearningPolicy().rank([restart, reset], signature: signature, statistics: LearnedStatistics())
        #expect(ranked.map(\.playbook.name) == ["restart", "reset"])
        #expect(ranked.allSatisfy { $0.suppressed == nil })
    }

    @Test("a failure of the first choice lets the untried second have its chance")
    func explores() {
        let ranked = LearningPolicy().rank([restart, reset], signature: signature, statistics: history([("restart", .rolledBack)]))
        #expect(ranked.map(\.playbook.name) == ["reset", "restart"])
    }

    @Test("three failures without a success suppress a playbook for that signature only")
    func suppression() {
        let learned = history([("restart", .rolledBack), ("restart", .failed), ("restart", .rolledBack)])
        let ranked = LearningPolicy().rank([restart, reset], signature: signature, statistics: learned)
        #expect(ranked.map(\.playbook.name) == ["reset", "restart"])
        #expect(ranked[1].suppressed?.contains("0 of 3 attempts recovered") == true)
        #expect(LearningPolicy().rank([restart], signature: "signal:SIGKILL", statistics: learned)[0].suppressed == nil)
        #expect(LearningPolicy(minimumAttempts: 4).rank([restart], signature: signature, statistics: learned)[0].suppressed == nil)
        let mixed = history([("restart", .rolledBack), ("restart", .recovered), ("restart", .rolledBack)])
        #expect(LearningPolicy().rank([restart], signature: signature, statistics: mixed)[0].suppressed == nil, "one in three recovered is above the floor")
    }

    @Test("dry-run records never count as outcomes")
    func dryRuns() {
        let learned = history(Array(repeating: ("restart", CorrectionOutcome.dryRun), count: 20) + [("reset", .escalated)])
        #expect(learned.statistics(playbook: "restart", signature: signature).attempts == 0)
        #expect(LearningPolicy().rank([restart, reset], signature: signature, statistics: learned).map(\.playbook.name) == ["restart", "reset"])
    }

    @Test("a pinned playbook keeps its place and is never suppressed; learning off keeps the declared order")
    func pinned() {
        var pinnedRestart = restart
        pinnedRestart.pinned = true
        let learned = history([("restart", .rolledBack), ("restart", .rolledBack), ("restart", .rolledBack), ("reset", .recovered)])
        let ranked = LearningPolicy().rank([pinnedRestart, reset], signature: signature, statistics: learned)
        #expect(ranked.map(\.playbook.name) == ["restart", "reset"])
        #expect(ranked[0].suppressed == nil && ranked[0].score == nil)
        let off = LearningPolicy(enabled: false).rank([restart, reset], signature: signature, statistics: learned)
        #expect(off.map(\.playbook.name) == ["restart", "reset"])
        #expect(off[0].suppressed == nil)
    }

    /// Plays many failures against playbooks with hidden success rates and lets the policy choose.
    func simulate(rates: [String: Double], seed: UInt64, rounds: Int) -> (choices: [String], final: [LearningPolicy.Ranked]) {
        var generator = SeededGenerator(state: seed)
        var learned = LearnedStatistics()
        var choices: [String] = []
        let playbooks = [restart, reset]
        for round in 0..<rounds {
            let ranked = LearningPolicy().rank(playbooks, signature: signature, statistics: learned)
            guard let chosen = ranked.first(where: { $0.suppressed == nil }) else { break }
            choices.append(chosen.playbook.name)
            let success = Double.random(in: 0..<1, using: &generator) < rates[chosen.playbook.name]!
            learned.record(PastCorrection(unit: "u.service", playbook: chosen.playbook.name, signature: signature, outcome: success ? .recovered : .rolledBack, startedAt: Double(round)))
        }
        return (choices, LearningPolicy().rank(playbooks, signature: signature, statistics: learned))
    }

    @Test("simulated outcomes: the policy converges to the better playbook, whatever the declared order", arguments: [UInt64(1), 2, 3, 42, 1234])
    func converges(seed: UInt64) {
        let (choices, final) = simulate(rates: ["restart": 0.2, "reset": 0.8], seed: seed, rounds: 200)
        let late = choices.suffix(100)
        #expect(late.filter { $0 == "reset" }.count >= 90, "\(late.filter { $0 == "reset" }.count) of the last 100 chose the better playbook")
        #expect(final[0].playbook.name == "reset")
    }

    @Test("simulated outcomes: a playbook that never helps is suppressed and no longer tried", arguments: [UInt64(7), 8, 9])
    func suppressesHopeless(seed: UInt64) {
        let (choices, final) = simulate(rates: ["restart": 0, "reset": 0.9], seed: seed, rounds: 1000)
        let hopeless = final.first { $0.playbook.name == "restart" }!
        #expect(hopeless.suppressed != nil)
        #expect(choices.filter { $0 == "restart" }.count <= 3, "tried \(choices.filter { $0 == "restart" }.count) times")
        #expect(choices.suffix(400).allSatisfy { $0 == "reset" })
    }
}
