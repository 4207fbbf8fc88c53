import MedicCore
import Testing

@Suite("Probe verdicts in health, causes, availability and verification")
struct ProbeHealthTests {
    let classifier = HealthClassifier()

    func probed(_ status: ProbeTracker.Status, failureIs: Health = .degraded, run: String? = "0123456789abcdef0123456789abcdef",
                active: String = "active", sub: String = "running") -> UnitSnapshot {
        unit(active, sub) { $0.probe = ProbeState(status: status, label: "http GET http://127.0.0.1:8080/", detail: "status 503", failureIs: failureIs, startKey: run) }
    }

    @Test("a running unit whose probe fails is degraded (or failed when configured) with cause probe and the probe's last error")
    func overlay() {
        let degraded = classifier.classify(probed(.failing), now: now)
        #expect(degraded == HealthVerdict(.degraded, "probe http GET http://127.0.0.1:8080/ failing: status 503", cause: .probe))
        #expect(classifier.classify(probed(.failing, failureIs: .failed), now: now).health == .failed)
        for status in [ProbeTracker.Status.passing, .pending, .paused] {
            #expect(classifier.classify(probed(status), now: now) == HealthVerdict(.healthy, "running"), "\(status) says nothing against the unit")
        }
        #expect(classifier.classify(probed(.failing, run: "another run"), now: now).health == .healthy, "results of an earlier run do not judge this one")
        #expect(classifier.classify(probed(.failing, active: "reloading", sub: "reload"), now: now).health == .healthy, "a reload is systemd's business")
        #expect(classifier.classify(probed(.failing, active: "failed", sub: "failed"), now: now).cause == .state, "a failed unit is failed for what systemd says")
    }

    @Test("playbooks match a failing probe as cause probe")
    func cause() {
        let snapshot = probed(.failing)
        let health = UnitHealth(snapshot: snapshot, verdict: classifier.classify(snapshot, now: now))
        #expect(FailureCause.of(health) == [.probe])
        #expect(FailureCause(rawValue: "probe") == .probe)
    }

    @Test("a playbook can name the probes it is for; a unit whose failing probe has another name, or none, does not match")
    func matchByName() {
        func health(_ name: String?, status: ProbeTracker.Status = .failing) -> UnitHealth {
            let snapshot = unit("active", "running") { $0.probe = ProbeState(status: status, label: "tcp 127.0.0.1:5432", detail: "connection refused", name: name) }
            return UnitHealth(snapshot: snapshot, verdict: classifier.classify(snapshot, now: now))
        }
        var match = PlaybookMatch(causes: [.probe])
        match.probes = ["db-port"]
        #expect(health("db-port").verdict.reason == "probe db-port: tcp 127.0.0.1:5432 failing: connection refused")
        #expect(match.matches(health("db-port")))
        #expect(!match.matches(health("web-health")))
        #expect(!match.matches(health(nil)))
        #expect(!match.matches(health("db-port", status: .passing)), "a passing probe is no failure")
    }

    @Test("probe-failing time is bad unless configured otherwise; other degraded time stays good")
    func availability() {
        let failing = StateObservation(time: 0, activeState: "active", subState: "running", health: .degraded, cause: .probe)
        let flapping = StateObservation(time: 0, activeState: "active", subState: "running", health: .degraded, cause: .flapping)
        #expect(AvailabilityPolicy().availability(of: failing) == .bad)
        #expect(AvailabilityPolicy().availability(of: flapping) == .good)
        #expect(AvailabilityPolicy(probeFailingIsBad: false).availability(of: failing) == .good)
        #expect(AvailabilityPolicy(degradedIsBad: true, probeFailingIsBad: false).availability(of: failing) == .bad)
    }

    @Test("a correction of a probed unit is verified only once its probe passes again")
    func verification() {
        var tracker = VerificationTracker(VerificationRequest(unit: "app.service", healthyFor: 10, within: 60, stepsBegan: now), began: now)
        let pending = probed(.pending)
        tracker.observe(UnitHealth(snapshot: pending, verdict: classifier.classify(pending, now: now)), at: now + 1)
        #expect(tracker.outcome(at: now + 30) == .pending(until: now + 60), "running but not yet probed is not recovered")
        let passing = probed(.passing)
        tracker.observe(UnitHealth(snapshot: passing, verdict: classifier.classify(passing, now: now)), at: now + 31)
        #expect(tracker.outcome(at: now + 41) == .verified("healthy for 10s without interruption"))
        var stillFailing = VerificationTracker(VerificationRequest(unit: "app.service", healthyFor: 10, within: 60, stepsBegan: now), began: now)
        stillFailing.observe(UnitHealth(snapshot: pending, verdict: classifier.classify(pending, now: now)), at: now + 1)
        guard case .notVerified(let why) = stillFailing.outcome(at: now + 60) else { Issue.record("expected not verified"); return }
        #expect(why.contains("probe pending"))
    }
}
