import MedicCore
import Testing

@Suite("Deciding corrections")
struct CorrectionPlannerTests {
    func playbook(_ name: String, priority: Int = 0, trigger: Playbook.Trigger = .failure, match: PlaybookMatch = PlaybookMatch(), steps: [PlaybookStep] = [.restart], mode: Playbook.Mode = .active, guardrails: PlaybookGuard = PlaybookGuard()) -> Playbook {
        Playbook(name: name, priority: priority, mode: mode, match: match, trigger: trigger, steps: steps, guardrails: guardrails)
    }

    func failed(_ name: String = "web.service", result: String = "exit-code", _ tweak: (inout UnitSnapshot) -> Void = { _ in }) -> UnitHealth {
        let s = unit(name, "failed", "failed", result: result, code: 1, status: 3, tweak)
        return UnitHealth(snapshot: s, verdict: HealthClassifier().classify(s, now: now))
    }

    func situation(_ unit: UnitHealth, budget: BudgetState? = nil, guards: [String: GuardState] = [:], running: Int = 0, starts: [Double] = [], journal: [String]? = nil) -> CorrectionPlanner.Situation {
        .init(unit: unit, budget: budget, journal: journal, guards: guards, runningCorrections: running, recentStarts: starts, now: now)
    }

    @Test("the highest-priority matching playbook acts; the others are listed as alternatives")
    func ranking() throws {
        let planner = CorrectionPlanner(playbooks: [
            playbook("restart", priority: 50),
            playbook("oom", priority: 70, match: PlaybookMatch(results: ["oom-kill"])),
            playbook("reset", priority: 60, steps: [.resetFailed, .start]),
            playbook("alpha", priority: 50),
        ])
        guard case .act(let plan) = planner.decide(situation(failed())) else { Issue.record("expected a plan"); return }
        #expect(plan.playbook.name == "reset")
        #expect(plan.alternatives == ["alpha", "restart"])
        #expect(plan.steps == [PlannedStep(.resetFailed), PlannedStep(.start)])
        #expect(plan.steps[1].undo == .step(.stop))
        #expect(!plan.dryRun)
        #expect(plan.reason.hasPrefix("reset (priority 60) matches failed: exit-code status=3"))
    }

    @Test("a unit known only from the unit list (its details pending) is waited for, never acted on, even by hand")
    func detailsPending() {
        var planner = CorrectionPlanner(playbooks: [playbook("restart")])
        var unit = failed()
        unit.snapshot.detailsPending = true
        for manual in [false, true] {
            planner.manual = manual
            guard case .wait(nil, let reason) = planner.decide(situation(unit)) else { Issue.record("expected to wait"); continue }
            #expect(reason == "Medic has not read web.service's details from systemd yet")
        }
        unit.snapshot.detailsPending = false
        guard case .act = planner.decide(situation(unit)) else { Issue.record("expected a plan once the details are in"); return }
    }

    @Test("steps know their inverses")
    func inverses() {
        #expect(PlannedStep(.stop).undo == .step(.start))
        #expect(PlannedStep(.restart).undo == .nothing)
        #expect(PlannedStep(.setProperty(name: "MemoryMax", value: .relativePercent(25), limit: .bytes(1 << 30))).undo == .restoreProperty("MemoryMax"))
        #expect(PlannedStep(.run(argv: ["/a"], undo: ["/b"], timeout: 5, user: nil)).undo == .step(.run(argv: ["/b"], undo: nil, timeout: 5, user: nil)))
    }

    @Test("triggers: failure acts on failed units, burn triggers on the budget state", arguments: [
        (Playbook.Trigger.failure, BudgetState?.none, true),
        (.fastBurn, nil, false), (.fastBurn, .warning, false), (.fastBurn, .breached, true), (.fastBurn, .exhausted, true),
        (.slowBurn, .ok, false), (.slowBurn, .warning, true), (.slowBurn, .breached, true),
        (.exhausted, .breached, false), (.exhausted, .exhausted, true),
    ])
    func triggers(trigger: Playbook.Trigger, budget: BudgetState?, acts: Bool) {
        let planner = CorrectionPlanner(playbooks: [playbook("p", trigger: trigger)])
        let decision = planner.decide(situation(failed(), budget: budget))
        if case .act = decision { #expect(acts) } else { #expect(!acts, "\(decision)") }
    }

    @Test("protected units are never touched", arguments: ["dbus.service", "systemd-journald.service", "user@1000.service", "app.slice", "multi-user.target", "init.scope", "medic.service", "medic@x.service", "payments.service"])
    func protected(name: String) {
        let planner = CorrectionPlanner(playbooks: [playbook("p")], protection: ProtectionPolicy(extra: [try! UnitPattern("payments.service")]))
        guard case .none(let reason) = planner.decide(situation(failed(name))) else { Issue.record("must not act on \(name)"); return }
        #expect(reason.contains("protected"))
    }

    @Test("units merely named like Medic are not protected")
    func notMedic() {
        #expect(!ProtectionPolicy().isProtected("medic-test-app.service"))
        #expect(!ProtectionPolicy().isProtected("web.service"))
    }

    @Test("Medic does not fight systemd: queued job, auto-restart, pending Restart=, transitions")
    func systemdBusy() {
        let planner = CorrectionPlanner(playbooks: [playbook("p", trigger: .fastBurn)])
        let cases: [UnitHealth] = [
            failed { $0.hasJob = true },
            UnitHealth(snapshot: unit("activating", "auto-restart", result: "exit-code"), verdict: HealthVerdict(.degraded, "r", cause: .restarting)),
            failed { $0.restartPolicy = "always"; $0.stateChangeMicros = micros(ago: 0.1) },
            UnitHealth(snapshot: unit("activating", "start"), verdict: HealthVerdict(.healthy, "starting")),
            // Running between crashes under Restart=: systemd restarts it itself when it fails again.
            UnitHealth(snapshot: unit("active", "running") { $0.restartPolicy = "always" }, verdict: HealthVerdict(.degraded, "crash loop", cause: .crashLoop)),
        ]
        for unitHealth in cases {
            let decision = planner.decide(situation(unitHealth, budget: .breached))
            guard case .wait(nil, _) = decision else { Issue.record("expected to wait: \(decision)"); continue }
        }
    }

    @Test("a unit that is healthy, idle or unknown now is never acted on, whatever its budget says", arguments: [
        ("active", "running", Health.healthy), ("inactive", "dead", .idle), ("active", "exited", .healthy),
    ])
    func healthyNow(active: String, sub: String, health: Health) {
        let planner = CorrectionPlanner(playbooks: [playbook("p", trigger: .exhausted), playbook("q", trigger: .fastBurn)])
        let healthy = UnitHealth(snapshot: unit(active, sub), verdict: HealthVerdict(health, "now"))
        guard case .none(let reason) = planner.decide(situation(healthy, budget: .exhausted)) else { Issue.record("must not act"); return }
        #expect(reason.contains("nothing to correct"))
    }

    @Test("a degraded unit is acted on only by a playbook that asks for degraded units")
    func degradedOnlyWhenAsked() {
        let flapping = UnitHealth(snapshot: unit("active", "running"), verdict: HealthVerdict(.degraded, "flapping", cause: .flapping))
        let generic = CorrectionPlanner(playbooks: [playbook("p", trigger: .fastBurn)])
        if case .act = generic.decide(situation(flapping, budget: .breached)) { Issue.record("a playbook without health: [degraded] acted") }
        let asking = CorrectionPlanner(playbooks: [playbook("p", trigger: .fastBurn, match: PlaybookMatch(health: [.degraded, .failed]))])
        if case .act = asking.decide(situation(flapping, budget: .breached)) {} else { Issue.record("expected a plan") }
    }

    @Test("a transient unit is never stopped (a stop unloads it): the next playbook is chosen and the plan says why")
    func transientUnits() {
        let planner = CorrectionPlanner(playbooks: [
            playbook("stop-start", priority: 10, steps: [.stop, .wait(1), .start]),
            playbook("restart", priority: 5),
        ])
        let transient = failed { $0.transient = true }
        guard case .act(let plan) = planner.decide(situation(transient)) else { Issue.record("expected a plan"); return }
        #expect(plan.playbook.name == "restart")
        #expect(plan.reason.contains("passed over: stop-start would stop transient web.service, which unloads it"))
        let only = CorrectionPlanner(playbooks: [playbook("stop-start", steps: [.stop, .start])])
        guard case .none(let reason) = only.decide(situation(transient)) else { Issue.record("must not act"); return }
        #expect(reason.contains("unloads it"))
        if case .act = only.decide(situation(failed())) {} else { Issue.record("a unit with a unit file may be stopped") }
    }

    @Test("a playbook that only notifies is an escalation, and only once the corrections are exhausted, not while one waits")
    func notifyOnly() {
        let notify = playbook("escalate", priority: -100, trigger: .exhausted, steps: [.notify(.command(["/bin/true"]))])
        let fix = playbook("restart", priority: 50, guardrails: PlaybookGuard(cooldown: 60, maxAttempts: 3, window: 3600))
        let planner = CorrectionPlanner(playbooks: [fix, notify])
        var waiting = GuardState()
        waiting.record(start: now - 20, end: now - 10, succeeded: false, guard: fix.guardrails)
        guard case .wait = planner.decide(situation(failed(), budget: .exhausted, guards: ["restart": waiting])) else { Issue.record("must wait for the cooldown"); return }
        var spent = GuardState()
        for t in [now - 300, now - 200, now - 100] { spent.record(start: t, end: t + 1, succeeded: false, guard: fix.guardrails) }
        guard case .escalate(_, let chosen, _) = planner.decide(situation(failed(), budget: .exhausted, guards: ["restart": spent])) else { Issue.record("expected an escalation"); return }
        #expect(chosen.name == "escalate")
        #expect(notify.notifiesOnly && !fix.notifiesOnly)
    }

    @Test("a running correction on the unit, global concurrency and the per-minute limit hold Medic back")
    func limits() {
        let planner = CorrectionPlanner(playbooks: [playbook("p")], limits: CorrectionLimits(maxConcurrent: 2, maxPerMinute: 3))
        var s = situation(failed())
        s.correctionRunning = true
        if case .none = planner.decide(s) {} else { Issue.record("one correction per unit") }
        if case .wait = planner.decide(situation(failed(), running: 2)) {} else { Issue.record("concurrency limit") }
        let decision = planner.decide(situation(failed(), starts: [now - 50, now - 30, now - 10, now - 100]))
        #expect(decision == .wait(until: now + 10, reason: "3 corrections started in the last minute (at most 3)"))
    }

    @Test("cooldown and backoff delay the next attempt; attempts run out into quarantine and one escalation")
    func guardsAndEscalation() {
        let rules = PlaybookGuard(cooldown: 60, maxAttempts: 3, window: 3600, backoffInitial: 10, backoffMax: 100, resetAfter: 600, onExhausted: .escalate)
        let planner = CorrectionPlanner(playbooks: [playbook("p", steps: [.restart, .notify(.command(["/usr/bin/logger", "x"]))], guardrails: rules)])
        var state = GuardState()
        state.record(start: now - 30, end: now - 20, succeeded: false, guard: rules)
        #expect(planner.decide(situation(failed(), guards: ["p": state])) == .wait(until: now + 40, reason: "p may try again at \(Timestamp.rfc3339(seconds: now + 40)) (cooldown and backoff)"))
        var manual = planner
        manual.manual = true
        if case .act = manual.decide(situation(failed(), guards: ["p": state])) {} else { Issue.record("medic heal does not wait for a cooldown") }
        state.record(start: now - 15, end: now - 10, succeeded: false, guard: rules)
        #expect(state.backoff(rules) == 20)
        state.record(start: now - 5, end: now - 1, succeeded: false, guard: rules)
        #expect(state.isQuarantined)
        guard case .escalate(_, let escalating, _) = planner.decide(situation(failed(), guards: ["p": state])) else { Issue.record("expected an escalation"); return }
        #expect(escalating.name == "p")
        state.markEscalated()
        if case .act = manual.decide(situation(failed(), guards: ["p": state])) { Issue.record("medic heal does not lift a quarantine") }
        guard case .none(let reason) = planner.decide(situation(failed(), guards: ["p": state])) else { Issue.record("quarantined means no action"); return }
        #expect(reason.contains("quarantined"))
        state.lift()
        if case .act = planner.decide(situation(failed(), guards: ["p": state])) {} else { Issue.record("a person lifted it") }
    }

    @Test("backoff doubles up to its cap and resets after a healthy stretch")
    func backoff() {
        let rules = PlaybookGuard(cooldown: 0, maxAttempts: 100, window: 1e6, backoffInitial: 10, backoffMax: 300, resetAfter: 600)
        var state = GuardState()
        var delays: [Double] = []
        for i in 0..<7 {
            state.record(start: Double(i), end: Double(i), succeeded: false, guard: rules)
            delays.append(state.backoff(rules))
        }
        #expect(delays == [10, 20, 40, 80, 160, 300, 300])
        state.observeHealthy(since: 100, now: 650, guard: rules)
        #expect(state.backoff(rules) == 300)
        state.observeHealthy(since: 100, now: 700, guard: rules)
        #expect(state.backoff(rules) == 0)
    }

    @Test("a quarantined playbook gives way to the next one that matches")
    func fallThrough() {
        let rules = PlaybookGuard(maxAttempts: 1, onExhausted: .stop)
        var state = GuardState()
        state.record(start: now - 100, end: now - 90, succeeded: false, guard: rules)
        let planner = CorrectionPlanner(playbooks: [playbook("first", priority: 10, guardrails: rules), playbook("second")])
        guard case .act(let plan) = planner.decide(situation(failed(), guards: ["first": state])) else { Issue.record("expected the second playbook"); return }
        #expect(plan.playbook.name == "second")
    }

    @Test("dry-run comes from the planner or the playbook's mode")
    func dryRun() {
        for (global, mode, expected) in [(true, Playbook.Mode.active, true), (false, .dryRun, true), (false, .active, false)] {
            let planner = CorrectionPlanner(playbooks: [playbook("p", mode: mode)], dryRun: global)
            guard case .act(let plan) = planner.decide(situation(failed())) else { Issue.record("expected a plan"); continue }
            #expect(plan.dryRun == expected)
        }
    }

    @Test("matching by exit status, signal and journal expression")
    func matching() throws {
        let byStatus = PlaybookMatch(exitStatuses: [3])
        #expect(byStatus.matches(failed()))
        #expect(!PlaybookMatch(exitStatuses: [4]).matches(failed()))
        let killed = UnitHealth(snapshot: unit("failed", "failed", result: "signal", code: 2, status: 9), verdict: HealthVerdict(.failed, "killed"))
        #expect(PlaybookMatch(signals: [9]).matches(killed))
        #expect(!PlaybookMatch(exitStatuses: [9]).matches(killed))
        let byJournal = PlaybookMatch(journal: "cannot (open|read) /etc/.*\\.conf")
        #expect(byJournal.matches(killed, journal: ["starting", "cannot open /etc/app.conf"]))
        #expect(!byJournal.matches(killed, journal: ["all good"]))
        #expect(!byJournal.matches(killed, journal: nil))
        // Whether the journal is worth reading at all: everything but the journal condition.
        #expect(byJournal.matchesIgnoringJournal(killed))
        let narrow = PlaybookMatch(units: [try UnitPattern("web-*.service")], signals: [9], journal: "oom")
        #expect(!narrow.matchesIgnoringJournal(killed), "another unit's name")
        #expect(!PlaybookMatch(exitStatuses: [4], journal: "x").matchesIgnoringJournal(failed()))
    }

    @Test("matching by cause: what systemd reports and what Medic concluded beyond it")
    func matchingByCause() {
        let exited = failed()
        #expect(FailureCause.of(exited) == [.exit])
        #expect(PlaybookMatch(causes: [.exit, .crash]).matches(exited))
        #expect(!PlaybookMatch(causes: [.flapping, .crashLoop]).matches(exited), "a plain failure is not flapping")
        let flapping = UnitHealth(snapshot: unit("active", "running", result: "exit-code", code: 1, status: 1),
                                  verdict: HealthVerdict(.degraded, "flapping: 3 restarts in 10m", cause: .flapping))
        #expect(FailureCause.of(flapping) == [.flapping, .exit])
        #expect(PlaybookMatch(causes: [.flapping, .crashLoop]).matches(flapping))
        var sigkill = unit("failed", "failed", result: "signal", code: 2, status: 9)
        #expect(FailureCause.of(UnitHealth(snapshot: sigkill, verdict: HealthVerdict(.failed, "x"))) == [.crash])
        // A SIGKILL that Medic found to be the kernel's out-of-memory kill is that, not a crash.
        sigkill.outOfMemory = true
        let oom = UnitHealth(snapshot: sigkill, verdict: HealthVerdict(.failed, "x"))
        #expect(FailureCause.of(oom) == [.outOfMemory])
        #expect(PlaybookMatch(causes: [.outOfMemory]).matches(oom))
        #expect(!PlaybookMatch(causes: [.crash]).matches(oom))
        let limit = UnitHealth(snapshot: unit("failed", "failed", result: "start-limit-hit"), verdict: HealthVerdict(.failed, "x"))
        #expect(FailureCause.of(limit) == [.startLimit])
    }

    @Test("a plan carries the playbook's attempt on the unit within its guard window, so a relative change can grow with it")
    func attemptNumber() {
        let rules = PlaybookGuard(cooldown: 1, maxAttempts: 3, window: 3600, backoffInitial: 1, backoffMax: 1)
        let planner = CorrectionPlanner(playbooks: [playbook("memory", guardrails: rules)])
        var s = situation(failed())
        guard case .act(let first) = planner.decide(s) else { Issue.record("expected a plan"); return }
        #expect(first.attempt == 1)
        var state = GuardState()
        state.record(start: now - 100, end: now - 90, succeeded: false, guard: rules)
        s.guards = ["memory": state]
        guard case .act(let second) = planner.decide(s) else { Issue.record("expected a second plan"); return }
        #expect(second.attempt == 2)
    }

    @Test("a unit that failed on a dependency waits while Medic heals the root; when Medic will not, its own playbooks act; a protected root is never started through it")
    func dependencyRoot() {
        let planner = CorrectionPlanner(playbooks: [playbook("restart", match: PlaybookMatch(causes: [.exit])), playbook("start", match: PlaybookMatch(causes: [.dependency]))],
                                        protection: ProtectionPolicy(extra: [try! UnitPattern("vault.service")]))
        let root = failed("db.service")
        #expect(DependencyRoot.reasonToWait(dependent: "app.service", root: "db.service", rootHealth: root, rootCorrecting: false, planner: planner)?
            .hasPrefix("its dependency db.service failed: Medic corrects that first") == true)
        #expect(DependencyRoot.reasonToWait(dependent: "app.service", root: "db.service", rootHealth: root, rootCorrecting: true, planner: planner)?
            .contains("is being corrected") == true)
        #expect(DependencyRoot.reasonToWait(dependent: "app.service", root: "db.service", rootHealth: nil, rootCorrecting: false, planner: planner) == nil, "not watched")
        let signalled = UnitHealth(snapshot: unit("db.service", "failed", "failed", result: "signal", code: 2, status: 6), verdict: HealthVerdict(.failed, "x"))
        #expect(DependencyRoot.reasonToWait(dependent: "app.service", root: "db.service", rootHealth: signalled, rootCorrecting: false, planner: planner) == nil, "no playbook for it")
        #expect(DependencyRoot.reasonToWait(dependent: "app.service", root: "vault.service", rootHealth: nil, rootCorrecting: false, planner: planner)?
            .contains("protected") == true)
        var app = failed("app.service") { $0.activeState = "inactive"; $0.subState = "dead"; $0.result = "success" }
        app.snapshot.dependencyFailure = DependencyFailure(unit: "db.service", reason: "exit-code status=3", at: now - 5)
        app.verdict = HealthClassifier().classify(app.snapshot, now: now)
        #expect(app.verdict.health == .failed && app.verdict.cause == .dependency)
        #expect(app.verdict.reason == "failed: dependency db.service failed: exit-code status=3")
        var s = situation(app)
        s.waitForDependency = "its dependency db.service failed: Medic corrects that first"
        guard case .wait(_, let reason) = planner.decide(s) else { Issue.record("expected a wait"); return }
        #expect(reason == s.waitForDependency)
        s.waitForDependency = nil
        guard case .act(let plan) = planner.decide(s) else { Issue.record("expected the dependency playbook"); return }
        #expect(plan.playbook.name == "start")
    }

    /// Three rolled-back attempts of `name` on the failure `failed()` shows.
    func hopeless(_ name: String) -> LearnedStatistics {
        LearnedStatistics(history: (0..<3).map {
            PastCorrection(unit: "other\($0).service", playbook: name, signature: "exit-code:status=3", outcome: .rolledBack, startedAt: now - 1000)
        })
    }

    @Test("what was learned reorders the playbooks, and the plan says so, with the signature and rank")
    func learned() {
        let planner = CorrectionPlanner(playbooks: [playbook("first", priority: 10), playbook("second")])
        var s = situation(failed())
        s.statistics = hopeless("first")
        guard case .act(let plan) = planner.decide(s) else { Issue.record("expected a plan"); return }
        #expect(plan.playbook.name == "second")
        #expect(plan.rank == 1)
        #expect(plan.signature?.key == "exit-code:status=3")
        #expect(plan.alternatives.isEmpty, "a suppressed playbook is no alternative")
        #expect(planner.ranked(for: s).map(\.playbook.name) == ["second", "first"])
    }

    @Test("a suppressed playbook is not repeated: Medic escalates once when the playbook says so, and otherwise leaves the unit")
    func suppressed() {
        var s = situation(failed())
        s.statistics = hopeless("first")
        let stop = CorrectionPlanner(playbooks: [playbook("first")])
        guard case .none(let reason) = stop.decide(s) else { Issue.record("expected no action"); return }
        #expect(reason.contains("suppressed"))
        let escalating = PlaybookGuard(onExhausted: .escalate)
        let planner = CorrectionPlanner(playbooks: [playbook("first", steps: [.restart, .notify(.command(["/bin/true"]))], guardrails: escalating)])
        guard case .escalate(_, let chosen, let why) = planner.decide(s) else { Issue.record("expected an escalation"); return }
        #expect(chosen.name == "first")
        #expect(why.contains("0 of 3 attempts recovered"))
        var escalated = GuardState()
        escalated.markEscalated()
        s.guards = ["first": escalated]
        guard case .none = planner.decide(s) else { Issue.record("escalates once"); return }
    }
}
