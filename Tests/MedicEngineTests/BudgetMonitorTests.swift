import MedicCore
@testable import MedicEngine
import Testing

/// How the daemon says a budget changed: never "100% left" once some budget is spent.
@Suite("Budget change lines")
struct BudgetMonitorTests {
    func report(bad: Double, observedSince start: Double, now: Double = 10_000_000) -> SLOReport {
        var observations = [StateObservation(time: start, activeState: "active", subState: "running", health: .healthy)]
        if bad > 0 { observations.append(StateObservation(time: now - bad, activeState: "failed", subState: "failed", health: .failed)) }
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy())
        return SLOEvaluator.evaluate(timeline, spec: .standard, now: now)
    }

    @Test("a few bad seconds leave 99.x%, not 100%; a window not full says how much was observed")
    func left() {
        let fresh = report(bad: 3, observedSince: 10_000_000 - 40)
        #expect(fresh.state >= .breached, "a burn rate pages on a few seconds of a short history")
        #expect(BudgetMonitor.left(fresh) == "99.9% left (window not full: 40s observed)")
        #expect(BudgetMonitor.left(report(bad: 0, observedSince: 0)) == "100% left")
        #expect(BudgetMonitor.left(report(bad: 1296, observedSince: 0)) == "50% left")
    }
}
