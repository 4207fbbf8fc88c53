import MedicCore
import Testing

@Suite("Health classification")
struct HealthClassifierTests {
    let classifier = HealthClassifier()

    func verdict(_ snapshot: UnitSnapshot, restarts: RestartHistory = RestartHistory(), lookup: @escaping (String) -> UnitSnapshot? = { _ in nil }) -> HealthVerdict {
        classifier.classify(snapshot, restarts: restarts, now: now, lookup: lookup)
    }

    @Test("failed units name their Result and exit status or signal", arguments: [
        ("exit-code", Int32(1), Int32(3), "failed: exit-code status=3"),
        ("signal", 2, 9, "failed: signal SIGKILL"),
        ("core-dump", 3, 11, "failed: core-dump SIGSEGV"),
        ("oom-kill", 2, 9, "failed: oom-kill (out of memory)"),
        ("watchdog", 2, 6, "failed: watchdog (no keep-alive ping in time)"),
        ("timeout", 2, 15, "failed: timeout"),
        ("start-limit-hit", 1, 1, "failed: start-limit-hit (systemd will not start it again until reset-failed)"),
        ("resources", 0, 0, "failed: resources"),
        ("exec-condition", 1, 1, "failed: exec-condition"),
    ])
    func failedResults(result: String, code: Int32, status: Int32, reason: String) {
        let v = verdict(unit("failed", "failed", result: result, code: code, status: status))
        #expect(v.health == .failed)
        #expect(v.reason == reason)
    }

    @Test("a signal that is not a known name is printed by number")
    func unknownSignal() {
        let v = verdict(unit("failed", "failed", result: "signal", code: 2, status: 40))
        #expect(v.reason == "failed: signal SIGRTMIN+6")
    }

    @Test("load problems are unknown", arguments: [
        ("not-found", "unit not found"),
        ("bad-setting", "unit file has a bad setting"),
        ("error", "unit failed to load"),
        ("masked", "unit is masked"),
        ("", "load state not readable"),
        ("weird", "unrecognised load state weird"),
    ])
    func loadStates(load: String, reason: String) {
        let v = verdict(unit("inactive", "dead") { $0.loadState = load })
        #expect(v.health == .unknown)
        #expect(v.reason == reason)
    }

    @Test("active units of every type are healthy", arguments: [
        ("web.service", "running", "running"),
        ("db.socket", "listening", "active (listening)"),
        ("multi-user.target", "active", "active (active)"),
        ("home.mount", "mounted", "active (mounted)"),
        ("dev-sda.device", "plugged", "active (plugged)"),
        ("app.slice", "active", "active (active)"),
        ("session.scope", "running", "active (running)"),
        ("swapfile.swap", "active", "active (active)"),
        ("watch.path", "waiting", "active (waiting)"),
    ])
    func activeIsHealthy(name: String, sub: String, reason: String) {
        let v = verdict(unit(name, "active", sub))
        #expect(v.health == .healthy)
        #expect(v.reason == reason)
    }

    @Test("a oneshot with RemainAfterExit that exited is healthy")
    func oneshotRemainAfterExit() {
        let v = verdict(unit("setup.service", "active", "exited") { $0.serviceType = "oneshot"; $0.remainAfterExit = true })
        #expect(v.health == .healthy)
        #expect(v.reason.contains("RemainAfterExit"))
    }

    @Test("an active timer is healthy and names its next elapse")
    func timerWaiting() {
        let v = verdict(unit("backup.timer", "active", "waiting") { $0.nextElapseMicros = 1_800_003_600_000_000 })
        #expect(v.health == .healthy)
        #expect(v.reason == "waiting, next elapse 2027-01-15T09:00:00.000000Z")
    }

    @Test("a timer-driven oneshot between runs is idle and names its trigger and next elapse")
    func timerTriggeredIdle() {
        let timer = unit("backup.timer", "active", "waiting") { $0.nextElapseMicros = 1_800_003_600_000_000 }
        let service = unit("backup.service", "inactive", "dead") { $0.triggeredBy = ["backup.timer"]; $0.serviceType = "oneshot" }
        let v = verdict(service, lookup: { $0 == "backup.timer" ? timer : nil })
        #expect(v.health == .idle)
        #expect(v.reason == "inactive, last run succeeded; triggered by backup.timer, next elapse 2027-01-15T09:00:00.000000Z")
    }

    @Test("a unit that never started is idle")
    func neverStarted() {
        let v = verdict(unit("inactive", "dead") { $0.invocationID = nil })
        #expect(v == HealthVerdict(.idle, "never started"))
    }

    @Test("an inactive unit whose last run failed is idle and says so")
    func inactiveAfterFailure() {
        let v = verdict(unit("inactive", "dead", result: "exit-code", code: 1, status: 2))
        #expect(v.health == .idle)
        #expect(v.reason == "inactive, last run ended with exit-code status=2")
    }

    @Test("inactive with a queued job is a restart in progress, not idle")
    func inactiveWithJob() {
        let v = verdict(unit("inactive", "dead") { $0.hasJob = true })
        #expect(v.health == .healthy)
    }

    @Test("auto-restart after a crash is degraded")
    func autoRestart() {
        let v = verdict(unit("activating", "auto-restart", result: "exit-code", code: 1, status: 1))
        #expect(v.health == .degraded)
        #expect(v.reason == "restarting after exit-code status=1")
    }

    @Test("activating is healthy until stuck, then degraded")
    func stuckActivating() {
        let fresh = verdict(unit("activating", "start") { $0.stateChangeMicros = micros(ago: 10) })
        #expect(fresh.health == .healthy)
        #expect(fresh.recheckAt == now - 10 + 300)
        let stuck = verdict(unit("activating", "start") { $0.stateChangeMicros = micros(ago: 400) })
        #expect(stuck.health == .degraded)
        #expect(stuck.reason == "stuck activating (start) for 6m40s")
    }

    @Test("deactivating is idle until stuck, then degraded")
    func stuckDeactivating() {
        #expect(verdict(unit("deactivating", "stop-sigterm") { $0.stateChangeMicros = micros(ago: 1) }).health == .idle)
        #expect(verdict(unit("deactivating", "stop-sigterm") { $0.stateChangeMicros = micros(ago: 301) }).health == .degraded)
    }

    @Test("reloading too long is degraded")
    func reloading() {
        #expect(verdict(unit("reloading", "reload") { $0.stateChangeMicros = micros(ago: 5) }).health == .healthy)
        let long = verdict(unit("reloading", "reload") { $0.stateChangeMicros = micros(ago: 125) })
        #expect(long.health == .degraded)
        #expect(long.reason == "reloading for 2m05s")
    }

    @Test("unreadable or unknown active states are unknown")
    func unknownActiveStates() {
        #expect(verdict(unit("", "")).health == .unknown)
        #expect(verdict(unit("maintenance", "x")).health == .unknown)
    }

    @Test("a failed unit whose Restart= policy applies is restarting until RestartSec plus grace has passed")
    func failedBeforeAutoRestart() {
        func failed(ago: Double, policy: String, result: String = "exit-code") -> HealthVerdict {
            verdict(unit("failed", "failed", result: result, code: 1, status: 1) {
                $0.restartPolicy = policy
                $0.restartDelayMicros = 1_000_000
                $0.stateChangeMicros = micros(ago: ago)
            })
        }
        let brief = failed(ago: 0.01, policy: "always")
        #expect(brief.health == .degraded)
        #expect(brief.recheckAt == now - 0.01 + 1 + 2)
        // Past its restart, still failed: systemd refused the restart (the start limit), keeping Result=exit-code.
        let refused = failed(ago: 3.5, policy: "always")
        #expect(refused.health == .failed)
        #expect(refused.reason.hasSuffix("systemd no longer restarts it (Restart=always: start limit hit)"))
        var stuck = unit("failed", "failed", result: "exit-code", code: 1, status: 1)
        stuck.restartPolicy = "always"
        #expect(FailureCause.of(UnitHealth(snapshot: stuck, verdict: refused)).contains(.startLimit))
        #expect(!failed(ago: 0.01, policy: "no").reason.contains("start limit"))
        #expect(failed(ago: 0.01, policy: "no").health == .failed)
        #expect(failed(ago: 0.01, policy: "on-abnormal").health == .failed)
        #expect(failed(ago: 0.01, policy: "on-abnormal", result: "signal").health == .degraded)
        #expect(failed(ago: 0.01, policy: "always", result: "start-limit-hit").health == .failed)
    }

    /// One automatic restart cycle (`number` seconds after now - 100): a crash with exit status 1,
    /// auto-restart, then running again under a new invocation.
    func restart(_ s: inout UnitSnapshot, number i: Int, into history: inout RestartHistory, policy: HealthPolicy) {
        s.result = "exit-code"; s.execMainCode = 1; s.execMainStatus = 1
        s.subState = "auto-restart"; s.activeState = "activating"
        history.observe(s, at: now - 100 + Double(i), policy: policy)
        s.subState = "running"; s.activeState = "active"; s.result = "success"
        s.invocationID = "id\(i)"; s.restartCount = UInt32(i)
        history.observe(s, at: now - 100 + Double(i), policy: policy)
    }

    @Test("restarts in the window make a unit flapping, then a crash loop, and it recovers as they age out")
    func flappingThresholds() {
        var history = RestartHistory()
        let policy = HealthPolicy()
        var s = unit("active", "running") { $0.restartCount = 0 }
        history.observe(s, at: now - 100, policy: policy)
        for i in 1...5 {
            restart(&s, number: i, into: &history, policy: policy)
            let v = classifier.classify(s, restarts: history, now: now, lookup: { _ in nil })
            switch i {
            case 1, 2: #expect(v.health == .healthy)
            case 3, 4:
                #expect(v.health == .degraded)
                #expect(v.reason == "flapping: \(i) restarts in 10m00s, last exit-code status=1")
            default:
                // Running now: the crash loop is its recent past, so it is degraded, not failed.
                #expect(v.health == .degraded)
                #expect(v.cause == .crashLoop)
                #expect(v.reason == "crash loop: 5 restarts in 10m00s, last exit-code status=1")
                #expect(v.recheckAt == now - 99 + 600)
            }
        }
        // Ten minutes after the last restart the unit is healthy again.
        #expect(classifier.classify(s, restarts: history, now: now + 600, lookup: { _ in nil }).health == .healthy)
    }

    @Test("a crash-looping unit is failed only once systemd stops restarting it")
    func crashLoopStates() {
        var history = RestartHistory()
        let policy = HealthPolicy()
        var s = unit("active", "running") { $0.restartCount = 0; $0.restartPolicy = "always"; $0.restartDelayMicros = 100_000 }
        history.observe(s, at: now - 100, policy: policy)
        for i in 1...6 { restart(&s, number: i, into: &history, policy: policy) }
        // The instant "failed" before systemd's next automatic restart is systemd at work.
        var crashed = s
        crashed.activeState = "failed"; crashed.subState = "failed"; crashed.result = "exit-code"
        crashed.stateChangeMicros = UInt64((now - 0.05) * 1_000_000)
        let pending = classifier.classify(crashed, restarts: history, now: now)
        #expect(pending.health == .degraded)
        #expect(pending.cause == .crashLoop)
        #expect(pending.reason.hasSuffix("systemd restarts it again"))
        var waiting = s
        waiting.activeState = "activating"; waiting.subState = "auto-restart"
        #expect(classifier.classify(waiting, restarts: history, now: now).health == .degraded)
        // systemd gave up (start limit): now it is a failure to correct.
        crashed.result = "start-limit-hit"
        let given = classifier.classify(crashed, restarts: history, now: now)
        #expect(given.health == .failed)
        #expect(given.cause == .crashLoop)
    }

    @Test("thresholds are configurable")
    func configurablePolicy() {
        var policy = HealthPolicy()
        policy.flapRestarts = 1
        policy.crashLoopRestarts = 10
        var history = RestartHistory()
        var s = unit("active", "running")
        history.observe(s, at: now - 5, policy: policy)
        s.subState = "auto-restart"
        history.observe(s, at: now - 4, policy: policy)
        s.subState = "running"; s.invocationID = "other"
        history.observe(s, at: now - 3, policy: policy)
        #expect(HealthClassifier(policy: policy).classify(s, restarts: history, now: now).health == .degraded)
    }
}
