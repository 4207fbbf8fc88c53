import Foundation
import MedicCore
import MedicEngine
import Testing

/// `medic status` and `medic explain` read what only the running daemon knows from its state file.
@Suite("The daemon's probe states in status and explain")
struct DaemonStateProbeTests {
    func unit(_ active: String, run: String = "run-1") -> UnitHealth {
        var snapshot = UnitSnapshot(name: "web.service")
        snapshot.loadState = "loaded"
        snapshot.activeState = active
        snapshot.subState = active == "active" ? "running" : "dead"
        snapshot.invocationID = run
        return UnitHealth(snapshot: snapshot, verdict: HealthVerdict(active == "active" ? .healthy : .idle, active == "active" ? "running" : "inactive, last run succeeded"))
    }

    func state(_ probe: ProbeState, dependency: Bool = false) -> DaemonState {
        let now = Date().timeIntervalSince1970
        let notes = dependency ? ["web.service": CorrectionDecisions.DependencyNote(root: "db.service", reason: "exit-code status=1", since: now)] : nil
        return DaemonState(pid: getpid(), startedAt: now - 60, heartbeat: now, watching: 1,
                           decisions: CorrectionDecisions(running: [], escalating: [], hold: nil, notCorrecting: [:], dependencyFailures: notes, limits: .init(CorrectionLimits())),
                           probes: ["web.service": probe])
    }

    @Test("a failing probe of the unit's current run makes it what the probe says; one of another run, or of a daemon not running, does not")
    func failing() {
        let now = Date().timeIntervalSince1970
        let failing = ProbeState(status: .failing, label: "tcp 127.0.0.1:80", detail: "connection refused", startKey: "run-1")
        let known = state(failing).adding(unit("active"), now: now)
        #expect(known.verdict == HealthVerdict(.degraded, "probe tcp 127.0.0.1:80 failing: connection refused", cause: .probe))
        #expect(known.snapshot.probe == failing)
        #expect(state(failing).adding(unit("active", run: "run-2"), now: now).verdict.health == .healthy, "the results were about the run before")
        var stopped = state(failing)
        stopped.stoppedAt = now
        #expect(stopped.adding(unit("active"), now: now).verdict.health == .healthy)
    }

    @Test("a paused probe of a unit whose start failed on a dependency leaves the dependency failure in place")
    func pausedWithDependency() {
        let paused = ProbeState(status: .paused, label: "tcp 127.0.0.1:80")
        let known = state(paused, dependency: true).adding(unit("inactive"), now: Date().timeIntervalSince1970)
        #expect(known.verdict.cause == .dependency && known.verdict.health == .failed)
        #expect(known.snapshot.probe?.status == .paused)
    }
}
