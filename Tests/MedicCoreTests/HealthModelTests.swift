import MedicCore
import Testing

@Suite("Live health model")
struct HealthModelTests {
    @Test("first sight yields a transition from nothing; repeats of the same class yield none")
    func transitions() {
        var model = HealthModel()
        let first = model.update(unit("active", "running"), at: now)
        #expect(first?.from == nil)
        #expect(first?.to == .healthy)
        #expect(model.update(unit("active", "running"), at: now + 1) == nil)
        let failed = model.update(unit("failed", "failed", result: "exit-code", code: 1, status: 3), at: now + 2)
        #expect(failed?.from == .healthy)
        #expect(failed?.to == .failed)
        #expect(failed?.reason == "failed: exit-code status=3")
        #expect(failed?.time == now + 2)
    }

    @Test("time alone moves a stuck activation to degraded at the recheck time")
    func reevaluate() {
        var model = HealthModel()
        model.update(unit("activating", "start") { $0.stateChangeMicros = micros(ago: 0) }, at: now)
        #expect(model.nextRecheck == now + 300)
        #expect(model.reevaluate(at: now + 299).isEmpty)
        let transitions = model.reevaluate(at: now + 300)
        #expect(transitions.map(\.to) == [.degraded])
    }

    @Test("units are listed worst first, then by name, and removed units disappear")
    func ordering() {
        var model = HealthModel()
        model.update(unit("b.service", "active", "running"), at: now)
        model.update(unit("a.service", "active", "running"), at: now)
        model.update(unit("z.service", "failed", "failed", result: "signal", code: 2, status: 9), at: now)
        model.update(unit("c.service", "inactive", "dead"), at: now)
        #expect(model.units.map(\.name) == ["z.service", "c.service", "a.service", "b.service"])
        model.remove("z.service")
        #expect(model.units.map(\.name) == ["c.service", "a.service", "b.service"])
        #expect(model.count == 3)
    }

    @Test("the summary counts classes and the healthy share, and never divides by zero")
    func summary() {
        var model = HealthModel()
        model.update(unit("a.service", "active", "running"), at: now)
        model.update(unit("b.service", "failed", "failed", result: "exit-code", code: 1, status: 1), at: now)
        let summary = HealthSummary(model.units)
        #expect(summary.total == 2)
        #expect(summary.healthy == 1)
        #expect(summary.failed == 1)
        #expect(summary.healthyPercent == 50)
        #expect(HealthSummary([]).healthyPercent == 100)
    }
}

@Suite("Transitions by cause")
struct TransitionCauseTests {
    @Test("restarting -> flapping -> crash loop are transitions; a start inside healthy is not")
    func causes() {
        var model = HealthModel()
        var s = unit("active", "running") { $0.invocationID = "k0"; $0.restartCount = 0 }
        model.update(s, at: now)
        var seen: [(Health, HealthCause)] = []
        for i in 1...5 {
            s.activeState = "activating"; s.subState = "auto-restart"; s.result = "exit-code"; s.execMainCode = 1; s.execMainStatus = 1
            if let t = model.update(s, at: now + Double(i)) { seen.append((t.to, t.cause)) }
            s.activeState = "active"; s.subState = "running"; s.invocationID = "k\(i)"; s.restartCount = UInt32(i); s.result = "success"
            if let t = model.update(s, at: now + Double(i) + 0.5) { seen.append((t.to, t.cause)) }
        }
        // A crash loop of a unit that is running again is degraded: only a unit systemd gave up on is failed.
        #expect(seen.map(\.0) == [.degraded, .healthy, .degraded, .healthy, .degraded, .degraded, .degraded])
        #expect(seen.map(\.1) == [.restarting, .state, .restarting, .state, .restarting, .flapping, .crashLoop])

        var quiet = HealthModel()
        quiet.update(unit("activating", "start"), at: now)
        #expect(quiet.update(unit("active", "running"), at: now + 1) == nil)
    }
}
