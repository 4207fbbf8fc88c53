import MedicConfig
import MedicCore
import MedicStore
import MedicTestSupport
import Testing
@testable import MedicEngine

/// SLO reports from the store's running sums (two rows per unit for the SLO window) must equal the
/// reports from every stored change, whatever the history: out-of-order rows, pruning, gaps,
/// activations past their grace, a policy that changes.
@Suite("SLO reports from running sums")
struct AvailabilitySumsTests {
    let now = 1_800_000_000.0
    let day = 86_400.0

    /// 30-day SLOs with the workbook's alert windows, a 2-day SLO (shorter than the 3-day alert window)
    /// and a 7-day one.
    var configuration: MedicConfiguration {
        var configuration = MedicConfiguration()
        configuration.slo = SLOPolicy(defaultSpec: .standard, overrides: [
            .init(pattern: try! UnitPattern("short-*.service"), spec: SLOSpec(objective: 0.99, window: 2 * day)),
            .init(pattern: try! UnitPattern("week-*.service"), spec: SLOSpec(objective: 0.995, window: 7 * day)),
        ])
        return configuration
    }

    static let states: [(String, String, Health)] = [
        ("active", "running", .healthy), ("active", "running", .healthy), ("failed", "failed", .failed),
        ("activating", "start", .healthy), ("activating", "auto-restart", .degraded), ("inactive", "dead", .idle),
        ("active", "running", .degraded), ("reloading", "reload", .healthy), ("deactivating", "stop-sigterm", .healthy),
    ]

    /// Histories over the last 40 days: units seen from the start or appearing later, changing every
    /// few minutes to every few days, with gaps where Medic did not watch.
    func history(seed: UInt64, units: Int = 14) -> [StoredObservation] {
        var random = SeededGenerator(state: seed)
        var rows: [StoredObservation] = []
        let prefixes = ["web-", "short-", "week-"]
        for index in 0..<units {
            let name = "\(prefixes[index % prefixes.count])\(index).service"
            var time = now - Double.random(in: 1...(40 * day), using: &random)
            let busy = Double.random(in: 0...1, using: &random) < 0.3
            while time < now {
                if Double.random(in: 0...1, using: &random) < 0.05 {
                    rows.append(StoredObservation(unit: name, observation: .gap(at: time), cause: "gap"))
                } else {
                    let (active, sub, health) = Self.states.randomElement(using: &random)!
                    rows.append(StoredObservation(unit: name, observation: StateObservation(time: time, activeState: active, subState: sub, health: health)))
                }
                // Busy units change every few minutes over the alert windows' last days.
                time += busy && time > now - 4 * day ? Double.random(in: 0...600, using: &random) : Double.random(in: 1...(3 * day), using: &random)
            }
        }
        // The recorder writes in batches of interleaved units.
        return rows.sorted { $0.observation.time < $1.observation.time }
    }

    func append(_ rows: [StoredObservation], to stores: MedicStore...) async throws {
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + 37)
            for store in stores { try await store.append(Array(rows[start..<end])) }
            start = end
        }
    }

    /// The reports of both stores at several moments, the summed store's by its sums.
    func expectSame(_ summed: MedicStore, _ plain: MedicStore, configuration: MedicConfiguration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for at in [now, now - 0.5 * day, now + 3 * day] {
            let fast = try await SLOQuery(store: summed, configuration: configuration).reports(now: at, knownUntil: at)
            let slow = try await SLOQuery(store: plain, configuration: configuration).reports(now: at, knownUntil: at)
            #expect(fast.map(\.unit).sorted() == slow.map(\.unit).sorted(), sourceLocation: sourceLocation)
            let slowByUnit = Dictionary(uniqueKeysWithValues: slow.map { ($0.unit, $0.report) })
            for report in fast {
                guard let other = slowByUnit[report.unit] else { continue }
                #expect(Self.close(report.report, other), "\(report.unit) at \(at): \(report.report) vs \(other)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Equal but for the rounding of stored microseconds.
    static func close(_ a: SLOReport, _ b: SLOReport) -> Bool {
        func near(_ x: Double, _ y: Double, _ tolerance: Double = 0.01) -> Bool { abs(x - y) <= tolerance }
        func near(_ x: Double?, _ y: Double?) -> Bool {
            switch (x, y) {
            case (nil, nil): return true
            case let (x?, y?): return near(x, y, 1e-6)
            default: return false
            }
        }
        return near(a.totals.good, b.totals.good) && near(a.totals.bad, b.totals.bad)
            && near(a.totals.excluded, b.totals.excluded) && near(a.totals.unknown, b.totals.unknown)
            && near(a.sli, b.sli) && a.windowFilled == b.windowFilled && near(a.observedSeconds, b.observedSeconds)
            && near(a.remainingSeconds, b.remainingSeconds) && a.state == b.state
            && a.burnRates.map(\.window) == b.burnRates.map(\.window)
            && zip(a.burnRates, b.burnRates).allSatisfy { near($0.rate, $1.rate, 1e-6) && near($0.coverage, $1.coverage, 1e-6) }
    }

    @Test("reports from running sums equal reports from every change", arguments: [1, 2, 3, 4] as [UInt64])
    func sameReports(seed: UInt64) async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        try await summed.keepAvailabilitySums(under: configuration.availability)
        try await append(history(seed: seed), to: summed, plain)
        let fast = try await summed.mapSummedTimelines(under: configuration.availability, recentFrom: now - 3 * day, windowStart: { _ in self.now - 30 * self.day }) { $0.unit }
        #expect(fast?.count == 14, "the summed store answers from its sums")
        let none = try await plain.mapSummedTimelines(under: configuration.availability, recentFrom: now - 3 * day, windowStart: { _ in self.now - 30 * self.day }) { $0.unit }
        #expect(none == nil, "a store without sums says so, and the rows are read instead")
        try await expectSame(summed, plain, configuration: configuration)
    }

    @Test("a row older than its unit's latest is summed in place, and the rows after it again")
    func outOfOrder() async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        try await summed.keepAvailabilitySums(under: configuration.availability)
        let rows = history(seed: 7)
        try await append(rows, to: summed, plain)
        let unit = rows[0].unit
        let late = [StoredObservation(unit: unit, observation: StateObservation(time: now - 10 * day, activeState: "failed", subState: "failed", health: .failed)),
                    StoredObservation(unit: unit, observation: StateObservation(time: now - 9 * day, activeState: "active", subState: "running", health: .healthy))]
        try await summed.append(late)
        try await plain.append(late)
        try await expectSame(summed, plain, configuration: configuration)
    }

    @Test("a new availability policy sums the stored rows again; the same one does not")
    func policyChange() async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        try await append(history(seed: 11), to: summed, plain)
        #expect(try await summed.keepAvailabilitySums(under: configuration.availability), "rows stored before sums were kept are summed")
        #expect(try await !summed.keepAvailabilitySums(under: configuration.availability))
        try await expectSame(summed, plain, configuration: configuration)

        var strict = configuration
        strict.availability = AvailabilityPolicy(degradedIsBad: true, activatingGrace: 5)
        let stale = try await summed.mapSummedTimelines(under: strict.availability, recentFrom: now - 3 * day, windowStart: { _ in self.now }) { $0.unit }
        #expect(stale == nil, "sums under another policy are not used")
        #expect(try await summed.keepAvailabilitySums(under: strict.availability))
        try await append(history(seed: 12), to: summed, plain)
        try await expectSame(summed, plain, configuration: strict)
    }

    @Test("pruned history keeps its sums valid")
    func pruning() async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        try await summed.keepAvailabilitySums(under: configuration.availability)
        try await append(history(seed: 21), to: summed, plain)
        for store in [summed, plain] { try await store.prune(before: now - 20 * day) }
        try await expectSame(summed, plain, configuration: configuration)
    }

    @Test("a history not vouched for up to the alert windows is read row by row")
    func staleHistory() async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        try await summed.keepAvailabilitySums(under: configuration.availability)
        try await append(history(seed: 31), to: summed, plain)
        let fast = try await SLOQuery(store: summed, configuration: configuration).reports(now: now, knownUntil: now - 5 * day)
        let slow = try await SLOQuery(store: plain, configuration: configuration).reports(now: now, knownUntil: now - 5 * day)
        #expect(fast.count == slow.count)
        for (a, b) in zip(fast.sorted { $0.unit < $1.unit }, slow.sorted { $0.unit < $1.unit }) {
            #expect(Self.close(a.report, b.report), "\(a.unit)")
        }
    }

    @Test("a long history is summed a few hundred units at a time, and two summings at once leave the sums of the last policy asked for")
    func chunkedAndRacing() async throws {
        let summed = try MedicStore.inMemory(), plain = try MedicStore.inMemory()
        var rows: [StoredObservation] = []
        for index in 0..<600 {
            let name = "many-\(index).service"
            rows.append(StoredObservation(unit: name, observation: StateObservation(time: now - 40 * day, activeState: "active", subState: "running", health: .healthy)))
            rows.append(StoredObservation(unit: name, observation: StateObservation(time: now - Double(index) * 3000, activeState: "activating", subState: "start", health: .degraded)))
            rows.append(StoredObservation(unit: name, observation: StateObservation(time: now - Double(index) * 3000 + 600, activeState: "active", subState: "running", health: .healthy)))
        }
        try await append(rows, to: summed, plain)
        var strict = configuration
        strict.availability = AvailabilityPolicy(degradedIsBad: true, activatingGrace: 5)
        async let first = summed.keepAvailabilitySums(under: configuration.availability)
        async let second = summed.keepAvailabilitySums(under: strict.availability)
        _ = try await (first, second)
        try await summed.keepAvailabilitySums(under: strict.availability)
        let fast = try await summed.mapSummedTimelines(under: strict.availability, recentFrom: now - 3 * day, windowStart: { _ in self.now - 30 * self.day }) { $0.unit }
        #expect(fast?.count == 600)
        try await expectSame(summed, plain, configuration: strict)
    }
}
