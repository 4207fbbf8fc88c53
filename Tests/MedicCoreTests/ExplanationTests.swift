import MedicCore
import Testing

@Suite("Explaining decisions")
struct ExplanationTests {
    func failed() -> UnitHealth {
        let s = unit("web.service", "failed", "failed", result: "exit-code", code: 1, status: 3)
        return UnitHealth(snapshot: s, verdict: HealthClassifier().classify(s, now: now))
    }

    @Test("every matching playbook in learned order, with trigger, estimates and guard; the decision the daemon would take")
    func explanation() {
        let rules = PlaybookGuard(cooldown: 60, maxAttempts: 3)
        let planner = CorrectionPlanner(playbooks: [
            Playbook(name: "restart", priority: 50, trigger: .failure, steps: [.restart], guardrails: rules),
            Playbook(name: "on-burn", priority: 90, trigger: .fastBurn, steps: [.restart]),
            Playbook(name: "oom-only", match: PlaybookMatch(results: ["oom-kill"]), trigger: .failure, steps: [.restart]),
        ])
        var state = GuardState()
        state.record(start: now - 30, end: now - 20, succeeded: false, guard: rules)
        let learned = LearnedStatistics(history: [PastCorrection(unit: "web.service", playbook: "restart", signature: "exit-code:status=3", outcome: .rolledBack, startedAt: now - 30, endedAt: now - 20)])
        let e = CorrectionExplanation(planner: planner, situation: .init(unit: failed(), statistics: learned, guards: ["restart": state], now: now))
        #expect(e.signature.key == "exit-code:status=3")
        #expect(!e.isProtected)
        #expect(e.candidates.map(\.name) == ["on-burn", "restart"], "oom-only does not match; matching ones are listed whether or not their trigger holds")
        #expect(e.candidates.map(\.triggerMet) == [false, true])
        let restart = e.candidates[1]
        #expect(restart.statistics.attempts == 1 && restart.attempts == 1 && restart.maxAttempts == 3)
        #expect(restart.nextAllowed == now + 40)
        #expect(restart.backoff == 10)
        #expect(e.verdict == "would wait: restart may try again at \(Timestamp.rfc3339(seconds: now + 40)) (cooldown and backoff)")
    }

    @Test("what systemd does on its own, in words", arguments: [
        (SystemdOwnRecovery(restart: "no", startLimitBurst: 5, startLimitInterval: 10),
         ["Restart=no: systemd does not restart it; a failure stays until someone (or Medic) acts",
          "start limit 5 starts in 10s: beyond it systemd refuses to start it (start-limit-hit) until reset-failed; Medic's own starts count too"]),
        (SystemdOwnRecovery(restart: "on-failure", restartDelay: 0.1, restarts: 4, startLimitBurst: 5, startLimitInterval: 0, onFailure: ["alert.service"]),
         ["Restart=on-failure: systemd restarts it after 100ms when it ends that way; Medic waits while systemd restarts it",
          "systemd has restarted it 4 times since it was last started by hand",
          "no start limit (StartLimitIntervalSec=0): systemd never refuses a start",
          "OnFailure=alert.service: systemd starts it when the unit fails, whatever Medic does"]),
        (SystemdOwnRecovery(), []),
    ])
    func systemd(recovery: SystemdOwnRecovery, lines: [String]) {
        #expect(recovery.explanation == lines)
    }

    @Test("a trigger in words, with the budget and burn rates")
    func trigger() {
        #expect(TriggerDescription.describe(.failure, manual: true, report: nil) == "manual (medic heal)")
        #expect(TriggerDescription.describe(.fastBurn, manual: false, report: nil) == "fast-burn; no SLO figures yet")
    }

    @Test("journal excerpts keep the newest lines within their caps")
    func excerpt() {
        #expect(JournalExcerpt.cap(["a", "b"]) == ["a", "b"])
        let many = (0..<100).map { "line \($0)" }
        #expect(JournalExcerpt.cap(many) == Array(many.suffix(JournalExcerpt.maximumLines)))
        let long = String(repeating: "x", count: 1000)
        let capped = JournalExcerpt.cap(Array(repeating: long, count: 20))
        #expect(capped.allSatisfy { $0.count == JournalExcerpt.maximumLineLength && $0.hasSuffix("…") })
        #expect(capped.reduce(0) { $0 + $1.utf8.count } <= JournalExcerpt.maximumBytes)
    }
}
