import MedicCore
import Testing

@Suite("Availability counters: monotonic seconds per class, classified like the timeline")
struct AvailabilityCountersTests {
    let policy = AvailabilityPolicy()

    @Test("the counters equal the timeline's totals over the same observations")
    func agreesWithTimeline() throws {
        let observations = [
            observation(100, "active"),
            observation(160, "failed", "failed", .failed),
            observation(190, "activating", "start", .degraded),
            observation(260, "active"),
            observation(300, "inactive", "dead", .idle),
        ]
        var counters = AvailabilityCounters(since: 100)
        for o in observations { counters.record("a.service", o, policy: policy) }
        let now = 400.0
        let counted = try #require(counters.totals(of: "a.service", at: now, policy: policy))
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: policy).totals(from: 100, to: now)
        #expect(counted == timeline)
        // 60 active + 30 s grace of the 70 s start + 40 active; 30 failed + 40 s past the grace; 100 idle.
        #expect(counted == TimeTotals(good: 130, bad: 70, excluded: 100, unknown: 0))
    }

    @Test("time before counting began is not counted")
    func startsAtStart() throws {
        var counters = AvailabilityCounters(since: 1000)
        counters.record("a.service", observation(400, "failed", "failed", .failed), policy: policy)
        #expect(counters.totals(of: "a.service", at: 1010, policy: policy) == TimeTotals(bad: 10))
    }

    @Test("an observation dated into time already counted never takes seconds back")
    func neverDecreases() throws {
        var counters = AvailabilityCounters(since: 0)
        counters.record("a.service", observation(0, "active"), policy: policy)
        let before = try #require(counters.totals(of: "a.service", at: 50, policy: policy))
        counters.record("a.service", observation(50, "active"), policy: policy)
        // systemd's own timestamp for the next change lies before the last accounting.
        counters.record("a.service", observation(40, "failed", "failed", .failed), policy: policy)
        let after = try #require(counters.totals(of: "a.service", at: 50, policy: policy))
        #expect(after == before)
        #expect(counters.totals(of: "a.service", at: 60, policy: policy) == TimeTotals(good: 50, bad: 10))
    }

    @Test("losing the bus counts every unit's time as unknown until it is seen again")
    func lostSight() throws {
        var counters = AvailabilityCounters(since: 0)
        counters.record("a.service", observation(0, "active"), policy: policy)
        counters.record("b.service", observation(0, "failed", "failed", .failed), policy: policy)
        counters.lostSight(at: 10, policy: policy)
        counters.record("a.service", observation(25, "active"), policy: policy)
        #expect(counters.totals(of: "a.service", at: 30, policy: policy) == TimeTotals(good: 15, unknown: 15))
        #expect(counters.totals(of: "b.service", at: 30, policy: policy) == TimeTotals(bad: 10, unknown: 20))
    }

    @Test("a forgotten unit has no counters; a unit never seen has none")
    func forget() {
        var counters = AvailabilityCounters(since: 0)
        counters.record("a.service", observation(0, "active"), policy: policy)
        counters.forget("a.service")
        #expect(counters.totals(of: "a.service", at: 10, policy: policy) == nil)
        #expect(counters.units.isEmpty)
    }

    @Test("degraded time counts as bad only when the policy says so")
    func degradedPolicy() {
        var counters = AvailabilityCounters(since: 0)
        counters.record("a.service", observation(0, "active", "running", .degraded), policy: policy)
        #expect(counters.totals(of: "a.service", at: 10, policy: policy) == TimeTotals(good: 10))
        #expect(counters.totals(of: "a.service", at: 10, policy: AvailabilityPolicy(degradedIsBad: true)) == TimeTotals(bad: 10))
    }
}
