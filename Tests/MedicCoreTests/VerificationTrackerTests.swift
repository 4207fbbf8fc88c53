import MedicCore
import Testing

@Suite("Verification of a correction")
struct VerificationTrackerTests {
    let request = VerificationRequest(unit: "app.service", healthyFor: 30, within: 120, stepsBegan: 1_000)

    func unit(_ active: String, _ sub: String, health: Health, changedAt: Double, result: String = "success", oneshot: Bool = false, started: Double? = nil, restart: String? = nil) -> UnitHealth {
        var s = UnitSnapshot(name: "app.service")
        s.loadState = "loaded"
        s.activeState = active
        s.subState = sub
        s.result = result
        s.stateChangeMicros = UInt64(changedAt * 1_000_000)
        s.serviceType = oneshot ? "oneshot" : "simple"
        s.execMainStartMicros = started.map { UInt64($0 * 1_000_000) }
        s.restartPolicy = restart
        return UnitHealth(snapshot: s, verdict: HealthVerdict(health, "\(active)/\(sub)"))
    }

    @Test("healthy without interruption for healthy-for verifies; until then it says when to look again")
    func healthyStreak() {
        var tracker = VerificationTracker(request, began: 1_001)
        tracker.observe(unit("active", "running", health: .healthy, changedAt: 1_000.5), at: 1_001)
        #expect(tracker.outcome(at: 1_010) == .pending(until: 1_031))
        guard case .verified = tracker.outcome(at: 1_031) else { Issue.record("expected verified"); return }
    }

    @Test("a failure after the steps that systemd does not restart ends verification at once")
    func failsFast() {
        var tracker = VerificationTracker(request, began: 1_001)
        tracker.observe(unit("active", "running", health: .healthy, changedAt: 1_000.5), at: 1_001)
        tracker.observe(unit("failed", "failed", health: .failed, changedAt: 1_005, result: "exit-code"), at: 1_005)
        guard case .notVerified(let detail) = tracker.outcome(at: 1_005) else { Issue.record("expected not verified at once"); return }
        #expect(detail.contains("failed again and systemd does not restart it"))
    }

    @Test("the failure the correction was started for (a step that changed nothing) is left to the window")
    func oldFailureWaits() {
        var tracker = VerificationTracker(request, began: 1_001)
        tracker.observe(unit("failed", "failed", health: .failed, changedAt: 900, result: "exit-code"), at: 1_001)
        #expect(tracker.outcome(at: 1_002) == .pending(until: 1_121))
        guard case .notVerified(let detail) = tracker.outcome(at: 1_121) else { Issue.record("expected not verified at the deadline"); return }
        #expect(detail.hasPrefix("not healthy for 30s within 2m"))
    }

    @Test("a crash that systemd restarts (degraded, restarting) breaks the streak but does not end verification")
    func restartingWaits() {
        var tracker = VerificationTracker(request, began: 1_001)
        tracker.observe(unit("active", "running", health: .healthy, changedAt: 1_000.5), at: 1_001)
        tracker.observe(unit("activating", "auto-restart", health: .degraded, changedAt: 1_010), at: 1_010)
        #expect(tracker.outcome(at: 1_040) == .pending(until: 1_121))
        tracker.observe(unit("active", "running", health: .healthy, changedAt: 1_011), at: 1_011)
        #expect(tracker.outcome(at: 1_020) == .pending(until: 1_041))
    }

    @Test("the connection lost restarts the streak")
    func connectionLost() {
        var tracker = VerificationTracker(request, began: 1_001)
        tracker.observe(unit("active", "running", health: .healthy, changedAt: 1_000.5), at: 1_001)
        tracker.connectionLost("bus gone")
        #expect(tracker.healthySince == nil)
        #expect(tracker.last.contains("bus gone"))
    }

    @Test("a oneshot recovers when the run the correction started succeeds, however briefly it ran")
    func oneshotSucceeds() {
        var tracker = VerificationTracker(request, began: 1_003)
        tracker.observe(unit("inactive", "dead", health: .idle, changedAt: 1_002, oneshot: true, started: 1_000.2), at: 1_003)
        guard case .verified(let detail) = tracker.outcome(at: 1_003) else { Issue.record("expected verified"); return }
        #expect(detail.contains("finished successfully"))
    }

    @Test("a oneshot whose run the correction started fails is not verified at once; an older run proves nothing")
    func oneshotFails() {
        var old = VerificationTracker(request, began: 1_003)
        old.observe(unit("inactive", "dead", health: .idle, changedAt: 990, oneshot: true, started: 980), at: 1_003)
        #expect(old.outcome(at: 1_004) == .pending(until: 1_123))
        var failed = VerificationTracker(request, began: 1_003)
        failed.observe(unit("failed", "failed", health: .failed, changedAt: 1_002, result: "exit-code", oneshot: true, started: 1_000.2), at: 1_003)
        guard case .notVerified(let detail) = failed.outcome(at: 1_003) else { Issue.record("expected not verified"); return }
        #expect(detail.contains("the run started by the correction failed"))
        // A oneshot still running is not "healthy for a while": its run must end.
        var running = VerificationTracker(request, began: 1_003)
        running.observe(unit("activating", "start", health: .healthy, changedAt: 1_000.2, oneshot: true, started: 1_000.2), at: 1_003)
        #expect(running.outcome(at: 1_100) == .pending(until: 1_123))
    }

    @Test("a oneshot failure that systemd's Restart= runs again is not the end")
    func oneshotRestarted() {
        var tracker = VerificationTracker(request, began: 1_003)
        tracker.observe(unit("failed", "failed", health: .degraded, changedAt: 1_002, result: "exit-code", oneshot: true, started: 1_000.2, restart: "on-failure"), at: 1_003)
        #expect(tracker.outcome(at: 1_004) == .pending(until: 1_123))
    }
}
