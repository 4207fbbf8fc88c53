import MedicCore
import Testing

@Suite("Probe tracking")
struct ProbeTrackerTests {
    let spec = ProbeSpec(kind: .http(url: "http://127.0.0.1:8080/healthz", expectStatus: [200...299], bodyContains: "ok", headers: [:], insecure: false),
                         interval: 10, timeout: 2, failureThreshold: 3, successThreshold: 2, failureIs: .degraded, startGrace: 5)

    func fail(_ at: Double, _ detail: String = "status 503") -> ProbeResult { ProbeResult(passed: false, detail: detail, time: at) }
    func pass(_ at: Double) -> ProbeResult { ProbeResult(passed: true, detail: "status 200", time: at) }

    @Test("no probe while the unit does not serve; the first once the start grace is over, then one per interval")
    func schedule() {
        var tracker = ProbeTracker(spec: spec)
        #expect(tracker.status == .paused && tracker.nextProbe() == nil)
        tracker.unit(serves: true, since: 100)
        #expect(tracker.status == .pending && tracker.nextProbe() == 105)
        tracker.record(pass(105))
        #expect(tracker.nextProbe() == 115)
        tracker.unit(serves: true, since: 200)  // still serving the same run: the start stays
        #expect(tracker.nextProbe() == 115)
        tracker.record(fail(115))
        tracker.unit(serves: true, run: "second", since: 300)
        #expect(tracker.nextProbe() == 305 && tracker.failuresInARow == 0 && tracker.state.startKey == "second",
                "another run (systemd restarted it) is judged afresh")
    }

    @Test("failure-threshold failures in a row make it failing with the configured class and the last error; success-threshold passes end it")
    func thresholds() {
        var tracker = ProbeTracker(spec: spec)
        tracker.unit(serves: true, since: 0)
        tracker.record(fail(5)); tracker.record(fail(15))
        #expect(tracker.status == .pending, "two failures are not yet three")
        tracker.record(pass(25)); tracker.record(fail(35)); tracker.record(fail(45))
        #expect(tracker.status == .pending, "a pass in between starts the count again")
        tracker.record(fail(55, "timeout after 2s"))
        #expect(tracker.status == .failing)
        #expect(tracker.state == ProbeState(status: .failing, label: "http GET http://127.0.0.1:8080/healthz", detail: "timeout after 2s", failureIs: .degraded, spread: 12))
        #expect(tracker.state.reason == "probe http GET http://127.0.0.1:8080/healthz failing: timeout after 2s")
        tracker.record(pass(65))
        #expect(tracker.status == .failing, "one pass of the two needed")
        tracker.record(pass(75))
        #expect(tracker.status == .passing)
    }

    @Test("a unit that stops pauses its probe and forgets the results in a row; a late result is dropped")
    func pausing() {
        var failedIs = spec
        failedIs.failureIs = .failed
        var tracker = ProbeTracker(spec: failedIs)
        tracker.unit(serves: true, since: 0)
        for t in [5.0, 15, 25] { tracker.record(fail(t)) }
        #expect(tracker.state.status == .failing && tracker.state.failureIs == .failed)
        tracker.unit(serves: false, since: 30)
        #expect(tracker.status == .paused && tracker.nextProbe() == nil)
        tracker.record(fail(31))
        #expect(tracker.failuresInARow == 0, "a probe under way when the unit stopped does not count")
        tracker.unit(serves: true, since: 40)
        #expect(tracker.nextProbe() == 45 && tracker.status == .pending)
        tracker.record(fail(45))
        #expect(tracker.status == .pending, "judged afresh after a restart")
    }
}
