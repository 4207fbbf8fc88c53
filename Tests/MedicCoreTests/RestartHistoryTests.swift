import MedicCore
import Testing

@Suite("Restart counting")
struct RestartHistoryTests {
    let policy = HealthPolicy()

    @Test("duplicate signals of one restart cycle count once")
    func duplicatesCountOnce() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "a"; $0.restartCount = 0 }
        history.observe(s, at: now, policy: policy)
        s.activeState = "failed"; s.subState = "failed"
        history.observe(s, at: now + 0.1, policy: policy)
        s.activeState = "activating"; s.subState = "auto-restart"
        history.observe(s, at: now + 0.1, policy: policy)
        history.observe(s, at: now + 0.1, policy: policy)
        s.activeState = "inactive"; s.subState = "dead"
        history.observe(s, at: now + 0.2, policy: policy)
        s.activeState = "active"; s.subState = "running"; s.invocationID = "b"; s.restartCount = 1
        history.observe(s, at: now + 0.3, policy: policy)
        history.observe(s, at: now + 0.3, policy: policy)
        #expect(history.count(within: 600, now: now + 1) == 1)
    }

    @Test("a start by the operator is not a restart")
    func manualStartNotCounted() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "a" }
        history.observe(s, at: now, policy: policy)
        s.activeState = "inactive"; s.subState = "dead"
        history.observe(s, at: now + 1, policy: policy)
        s.activeState = "active"; s.subState = "running"; s.invocationID = "b"
        history.observe(s, at: now + 2, policy: policy)
        #expect(history.count(within: 600, now: now + 3) == 0)
    }

    @Test("reset-failed clearing NRestarts neither counts nor hides later restarts")
    func resetFailed() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "a"; $0.restartCount = 4 }
        history.observe(s, at: now - 1000, policy: policy)
        s.restartCount = 0
        history.observe(s, at: now, policy: policy)
        #expect(history.count(within: 600, now: now) == 0)
        s.restartCount = 1; s.invocationID = "b"
        history.observe(s, at: now + 1, policy: policy)
        #expect(history.count(within: 600, now: now + 1) == 1)
    }

    @Test("a start after systemd gave up (start limit) is not an automatic restart")
    func startLimitEndsAutoRestarts() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "a"; $0.restartCount = 0 }
        history.observe(s, at: now, policy: policy)
        s.activeState = "activating"; s.subState = "auto-restart"; s.result = "exit-code"
        history.observe(s, at: now + 1, policy: policy)
        s.activeState = "failed"; s.subState = "failed"; s.result = "start-limit-hit"
        history.observe(s, at: now + 2, policy: policy)
        // reset-failed and a start by a person (or Medic): NRestarts cleared, a new invocation.
        s.restartCount = 0
        history.observe(s, at: now + 3, policy: policy)
        s.activeState = "active"; s.subState = "running"; s.result = "success"; s.invocationID = "b"
        history.observe(s, at: now + 4, policy: policy)
        #expect(history.count(within: 600, now: now + 4) == 0)
    }

    @Test("without start keys NRestarts growth is used")
    func fallbackToRestartCount() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = nil; $0.restartCount = 0 }
        history.observe(s, at: now, policy: policy)
        s.restartCount = 2
        history.observe(s, at: now + 1, policy: policy)
        #expect(history.count(within: 600, now: now + 1) == 2)
    }

    @Test("restarts leave the window and the next expiry is reported")
    func window() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "a" }
        history.observe(s, at: now, policy: policy)
        s.subState = "auto-restart"
        history.observe(s, at: now + 1, policy: policy)
        s.subState = "running"; s.invocationID = "b"
        history.observe(s, at: now + 2, policy: policy)
        #expect(history.nextExpiry(window: 600, now: now + 3) == now + 602)
        #expect(history.count(within: 600, now: now + 601) == 1)
        #expect(history.count(within: 600, now: now + 602) == 0)
        #expect(history.nextExpiry(window: 600, now: now + 603) == nil)
    }

    @Test("a unit already restarting when first seen is assumed recent, capped at the crash-loop threshold")
    func seeding() {
        var history = RestartHistory()
        let s = unit("active", "running") { $0.restartCount = 40; $0.execMainStartMicros = micros(ago: 2) }
        history.observe(s, at: now, policy: policy)
        #expect(history.count(within: 600, now: now) == 5)
        var old = RestartHistory()
        old.observe(unit("active", "running") { $0.restartCount = 40; $0.execMainStartMicros = micros(ago: 3600) }, at: now, policy: policy)
        #expect(old.count(within: 600, now: now) == 0)
    }

    @Test("a restart storm is remembered in bounded memory: the newest restarts, and that older ones were in the window")
    func bounded() {
        var history = RestartHistory()
        var s = unit("active", "running") { $0.invocationID = "0"; $0.restartCount = 0 }
        history.observe(s, at: now, policy: policy)
        for i in 1...1000 {
            s.restartCount = UInt32(i); s.invocationID = "\(i)"
            history.observe(s, at: now + Double(i) * 0.5, policy: policy)
        }
        let end = now + 500
        #expect(history.times.count == 64)
        #expect(history.times.first == now + Double(1000 - 63) * 0.5)
        #expect(history.count(within: 600, now: end) == 64)
        #expect(history.exceedsCount(within: 600, now: end), "936 older restarts are still in the window")
        let v = HealthClassifier(policy: policy).classify(s, restarts: history, now: end)
        #expect(v.reason.hasPrefix("crash loop: more than 64 restarts in 10m00s"), "\(v.reason)")
        // Once the newest forgotten restart leaves the window, the count is exact again.
        #expect(!history.exceedsCount(within: 600, now: now + 468.5 + 600))
        s.invocationID = "x"
        history.observe(s, at: now + 1099, policy: policy)
        #expect(!history.exceedsCount(within: 600, now: now + 1099))
        #expect(history.count(within: 600, now: now + 1099) == 2, "only the restarts at +499.5 s and +500 s are still in the window")
    }
}
