import MedicCore
import Testing

/// The burn-down the dashboard draws: budget left over the window, ending where the report ends.
@Suite("Error budget burn-down")
struct BudgetBurnDownTests {
    let spec = SLOSpec(objective: 0.99, window: 1000)
    func observation(_ time: Double, _ health: Health) -> StateObservation {
        health == .failed ? StateObservation(time: time, activeState: "failed", subState: "failed", health: .failed)
            : StateObservation(time: time, activeState: "active", subState: "running", health: .healthy)
    }

    func near(_ value: Double?, _ expected: Double) -> Bool { value.map { abs($0 - expected) < 1e-9 } ?? false }

    @Test("an outage of 5 s in a 10 s budget leaves half, as a step at the outage; the last point equals the report")
    func stepAtOutage() {
        let now = 2000.0
        let timeline = AvailabilityTimeline(observations: [observation(500, .healthy), observation(1500, .failed), observation(1505, .healthy)], knownUntil: now, policy: AvailabilityPolicy())
        let burn = BudgetBurnDown(timeline: timeline, spec: spec, now: now, samples: 11)
        #expect(burn.windowStart == 1000)
        #expect(burn.points.first == .init(time: 1000, remaining: 1))
        #expect(burn.points.contains(.init(time: 1500, remaining: 1)))
        #expect(burn.points.contains { $0.time == 1505 && near($0.remaining, 0.5) })
        #expect(burn.points.last?.time == now && near(burn.points.last?.remaining, 0.5))
        let report = SLOEvaluator.evaluate(timeline, spec: spec, now: now)
        #expect(abs((burn.points.last?.remaining ?? 0) * 100 - report.remainingPercent) < 1e-9)
        #expect(burn.points.map(\.time) == burn.points.map(\.time).sorted(), "in time order")
        #expect(Set(burn.points.map(\.time)).count == burn.points.count, "no repeated moment")
    }

    @Test("a window not full yet starts at the first observation; an overspent budget goes below zero")
    func partialAndOverspent() {
        let now = 2000.0
        let timeline = AvailabilityTimeline(observations: [observation(1800, .failed)], knownUntil: now, policy: AvailabilityPolicy())
        let burn = BudgetBurnDown(timeline: timeline, spec: spec, now: now, samples: 5)
        #expect(burn.points.first?.time == 1800)
        #expect(burn.points.last?.time == now && near(burn.points.last?.remaining, -19))
    }

    @Test("no history: one point, untouched")
    func empty() {
        let burn = BudgetBurnDown(timeline: AvailabilityTimeline(observations: [], knownUntil: 10, policy: AvailabilityPolicy()), spec: spec, now: 10)
        #expect(burn.points == [.init(time: 10, remaining: 1)])
    }

    @Test("fixed decimals and whole percentages")
    func numbers() {
        #expect(NumberText.fixed(0.8, digits: 2) == "0.80")
        #expect(NumberText.fixed(-1.25, digits: 1) == "-1.3")
        #expect(NumberText.fixed(-0.01, digits: 1) == "0.0")
        #expect(NumberText.fixed(12.5, digits: 0) == "13")
        #expect(NumberText.fixed(3, digits: 3) == "3.000")
        #expect(NumberText.percent(0.876) == "88%")
        #expect(NumberText.percent(.nan) == "-")
    }
}
