import MedicCore
import MedicTestSupport
import Testing

func observation(_ time: Double, _ active: String, _ sub: String = "running", _ health: Health = .healthy) -> StateObservation {
    StateObservation(time: time, activeState: active, subState: sub, health: health)
}

@Suite("SLO maths: the workbook's numbers")
struct SLOWorkbookTests {
    @Test("99.9 % over 30 days is a 43.2 minute budget")
    func budget() {
        #expect(abs(SLOSpec.standard.budget - 43.2 * 60) < 1e-6)
    }

    @Test("a window without counted time has no burn rate (coverage 0); a partly observed one says how much it covers")
    func coverage() throws {
        let now = 10_000.0
        // Observed for the last 30 minutes, then unknown for the last 10 (Medic stopped at now - 600).
        let timeline = AvailabilityTimeline(observations: [observation(now - 1800, "active")], knownUntil: now - 600, policy: AvailabilityPolicy())
        let report = SLOEvaluator.evaluate(timeline, spec: SLOSpec.standard, now: now)
        let fiveMinutes = try #require(report.burnRates.first { $0.window == 300 })
        #expect(!fiveMinutes.hasData && fiveMinutes.coverage == 0)
        let hour = try #require(report.burnRates.first { $0.window == 3600 })
        #expect(hour.hasData && abs(hour.coverage - 1200.0 / 3600) < 1e-9)
    }

    @Test("burning at 14.4x, a full budget lasts about 2.08 days")
    func fastBurn() throws {
        let now = 100_000_000.0
        // Bad 1.44 % of every hour for the last 6 hours: 14.4x the 0.1 % a 99.9 % SLO allows.
        var observations: [StateObservation] = []
        for hour in 0..<6 {
            let start = now - Double(6 - hour) * 3600
            observations.append(observation(start, "active"))
            observations.append(observation(start + 3600 - 51.84, "failed", "failed", .failed))
        }
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy())
        let report = SLOEvaluator.evaluate(timeline, spec: SLOSpec.standard, now: now)
        let hour = try #require(report.burnRates.first { $0.window == 3600 })
        #expect(abs(hour.rate - 14.4) < 1e-9)
        // The remaining budget (43.2 min - 6 x 51.84 s) at 14.4x: remaining / (14.4 x 0.001).
        let remaining = 2592 - 6 * 51.84
        #expect(abs(report.remainingSeconds - remaining) < 1e-6)
        let expected = remaining / 0.0144
        #expect(abs(try #require(report.timeToExhaustion) - expected) / expected < 1e-9)
        // A full budget at 14.4x: 2592 s / 0.0144 = 180000 s, about 2.08 days.
        #expect(abs(2592 / 0.0144 / 86_400 - 2.083) < 0.001)
    }

    @Test("page when the 1h and 5m burn rates both exceed 14.4; the state is breached and P1")
    func page() {
        let now = 10_000_000.0
        let observations = [observation(now - 4 * 86_400, "active"), observation(now - 400, "failed", "failed", .failed)]
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy())
        let report = SLOEvaluator.evaluate(timeline, spec: SLOSpec.standard, now: now)
        #expect(report.state == .breached)
        #expect(report.alertLevel == "P1")
        #expect(report.rules[0].firing)
        #expect(abs(report.rules[0].longRate - 400.0 / 3600 / 0.001) < 1e-6)
        #expect(abs(report.rules[0].shortRate - 1000) < 1e-6)
    }

    @Test("ticket when only the slow pairs fire: warning and P2")
    func ticket() {
        let now = 10_000_000.0
        // 432 s bad, starting an hour ago.
        let observations = [
            observation(now - 4 * 86_400, "active"),
            observation(now - 3600, "failed", "failed", .failed),
            observation(now - 3600 + 432, "active"),
        ]
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy())
        let report = SLOEvaluator.evaluate(timeline, spec: SLOSpec.standard, now: now)
        // 1h: 432/3600 = 12 % -> 120x, 5m: 0 -> no page. 1d: 432/86400 -> 5x, 2h: 60x -> ticket.
        #expect(report.state == .warning)
        #expect(report.alertLevel == "P2")
    }

    @Test("an overspent budget is exhausted with no time left")
    func exhausted() {
        let now = 10_000_000.0
        let spec = SLOSpec(objective: 0.99, window: 1000)
        let observations = [observation(now - 2000, "active"), observation(now - 500, "failed", "failed", .failed), observation(now - 480, "active")]
        let report = SLOEvaluator.evaluate(AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy()), spec: spec, now: now)
        #expect(report.consumedSeconds == 20)
        #expect(abs(report.remainingSeconds + 10) < 1e-9)
        #expect(abs(report.remainingPercent + 100) < 1e-9)
        #expect(report.state == .exhausted)
        #expect(report.timeToExhaustion == 0)
    }

    @Test("a window not yet full is computed over observed time and says so; no data is never NaN")
    func partialWindow() {
        let now = 10_000_000.0
        let spec = SLOSpec(objective: 0.9, window: 1000)
        let observations = [observation(now - 100, "active"), observation(now - 10, "failed", "failed", .failed)]
        let report = SLOEvaluator.evaluate(AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy()), spec: spec, now: now)
        #expect(!report.windowFilled)
        #expect(report.observedSeconds == 100)
        #expect(abs((report.sli ?? 0) - 0.9) < 1e-12)
        let empty = SLOEvaluator.evaluate(AvailabilityTimeline(observations: [], knownUntil: now, policy: AvailabilityPolicy()), spec: spec, now: now)
        #expect(empty.sli == nil)
        #expect(empty.state == .ok)
        #expect(empty.timeToExhaustion == nil)
        #expect(empty.burnRates.allSatisfy { $0.rate == 0 })
        #expect(empty.observedSeconds == 0)
    }
}

@Suite("SLO maths against a brute-force reference")
struct SLOPropertyTests {
    static let states: [(String, String, Health)] = [
        ("active", "running", .healthy), ("failed", "failed", .failed), ("inactive", "dead", .idle),
        ("activating", "auto-restart", .degraded), ("activating", "start", .healthy), ("active", "running", .degraded),
        ("deactivating", "stop", .idle), ("", "", .unknown),
    ]

    /// A random timeline of whole-second observations (some of them gaps) over [0, length).
    static func randomTimeline(_ rng: inout SeededGenerator, length: Int) -> [StateObservation] {
        var time = Int.random(in: 0..<20, using: &rng)
        var observations: [StateObservation] = []
        while time < length {
            if Int.random(in: 0..<10, using: &rng) == 0 {
                observations.append(.gap(at: Double(time)))
            } else {
                let s = states.randomElement(using: &rng)!
                observations.append(observation(Double(time), s.0, s.1, s.2))
            }
            time += Int.random(in: 1...40, using: &rng)
        }
        return observations.shuffled(using: &rng)
    }

    /// The class of second [s, s+1) found by looking only at observations, one second at a time.
    static func sampled(_ observations: [StateObservation], second s: Int, knownUntil: Int, policy: AvailabilityPolicy) -> Availability? {
        let sorted = observations.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        guard let current = sorted.last(where: { $0.time <= Double(s) }) else { return nil }
        if s >= knownUntil { return .unknown }
        var availability = policy.availability(of: current)
        if availability == .good, current.activeState == "activating", let grace = policy.activatingGrace, Double(s) >= current.time + grace {
            availability = .bad
        }
        return availability
    }

    @Test("time per class, SLI, budget and burn rates match second-by-second sampling", arguments: 0..<60)
    func matchesBruteForce(seed: Int) {
        var rng = SeededGenerator(state: UInt64(seed) &* 7919 &+ 17)
        let length = 600
        let observations = Self.randomTimeline(&rng, length: length)
        let knownUntil = Int.random(in: length / 2...length, using: &rng)
        let policy = AvailabilityPolicy(degradedIsBad: Bool.random(using: &rng), activatingGrace: [nil, 5, 30].randomElement(using: &rng)!)
        let now = length
        let window = Int.random(in: 60...800, using: &rng)
        let spec = SLOSpec(objective: 0.95, window: Double(window), rules: [
            BurnRateRule(severity: .page, longWindow: 120, shortWindow: 10, threshold: 2),
            BurnRateRule(severity: .ticket, longWindow: 300, shortWindow: 60, threshold: 1),
        ])

        var reference: [Availability: Int] = [:]
        func count(from: Int) -> (good: Int, bad: Int) {
            var good = 0, bad = 0
            for s in max(0, from)..<now {
                switch Self.sampled(observations, second: s, knownUntil: knownUntil, policy: policy) {
                case .good?: good += 1
                case .bad?: bad += 1
                default: break
                }
            }
            return (good, bad)
        }
        for s in max(0, now - window)..<now {
            if let a = Self.sampled(observations, second: s, knownUntil: knownUntil, policy: policy) { reference[a, default: 0] += 1 }
        }
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: Double(knownUntil), policy: policy)
        let report = SLOEvaluator.evaluate(timeline, spec: spec, now: Double(now))
        #expect(report.totals.good == Double(reference[.good] ?? 0))
        #expect(report.totals.bad == Double(reference[.bad] ?? 0))
        #expect(report.totals.excluded == Double(reference[.excluded] ?? 0))
        #expect(report.totals.unknown == Double(reference[.unknown] ?? 0))
        let (good, bad) = (reference[.good] ?? 0, reference[.bad] ?? 0)
        if good + bad == 0 { #expect(report.sli == nil) } else { #expect(abs(report.sli! - Double(good) / Double(good + bad)) < 1e-12) }
        #expect(abs(report.remainingSeconds - (0.05 * Double(window) - Double(bad))) < 1e-9)
        for rate in report.burnRates {
            let (g, b) = count(from: now - Int(rate.window))
            let expected = g + b == 0 ? 0 : Double(b) / Double(g + b) / 0.05
            #expect(abs(rate.rate - expected) < 1e-9, "window \(rate.window)")
        }
        #expect(report.sli?.isNaN != true)
        // Time to exhaustion: what remains, at the shortest page window's rate (120 s here).
        let (g120, b120) = count(from: now - 120)
        let rate120 = g120 + b120 == 0 ? 0 : Double(b120) / Double(g120 + b120) / 0.05
        let remaining = 0.05 * Double(window) - Double(bad)
        if remaining <= 0 {
            #expect(report.timeToExhaustion == (bad > 0 ? 0 : nil))
        } else if rate120 == 0 {
            #expect(report.timeToExhaustion == nil)
        } else {
            #expect(abs(report.timeToExhaustion! - remaining / (rate120 * 0.05)) < 1e-6)
        }
        let expectedState: BudgetState
        let firing = { (long: Int, short: Int, threshold: Double) -> Bool in
            let (gl, bl) = count(from: now - long), (gs, bs) = count(from: now - short)
            let rl = gl + bl == 0 ? 0 : Double(bl) / Double(gl + bl) / 0.05
            let rs = gs + bs == 0 ? 0 : Double(bs) / Double(gs + bs) / 0.05
            return rl > threshold && rs > threshold
        }
        if remaining <= 0 && bad > 0 { expectedState = .exhausted }
        else if firing(120, 10, 2) { expectedState = .breached }
        else if firing(300, 60, 1) { expectedState = .warning }
        else { expectedState = .ok }
        #expect(report.state == expectedState)
        #expect(!report.remainingPercent.isNaN)
    }
}
