import Foundation
import MedicCore
import MedicStore
import Testing

@Suite("The store")
struct MedicStoreTests {
    func observation(_ unit: String, _ time: Double, _ active: String, _ health: Health = .healthy) -> StoredObservation {
        StoredObservation(unit: unit, observation: StateObservation(time: time, activeState: active, subState: "x", health: health), cause: "state", reason: "r", result: "success", exitCode: 1, exitStatus: 3, invocationID: "ab")
    }

    @Test("observations round-trip with microsecond times, in order, with the one in effect at the start")
    func roundTrip() async throws {
        let store = try MedicStore.inMemory()
        try await store.append([
            observation("a.service", 100.000001, "active"),
            observation("a.service", 200.5, "failed", .failed),
            observation("b.service", 150, "active"),
            observation("a.service", 300.25, "active"),
        ])
        let timeline = try await store.observations(of: "a.service", from: 250)
        #expect(timeline.map(\.observation.time) == [200.5, 300.25])
        #expect(timeline[0].observation.health == .failed)
        #expect(timeline[0].exitStatus == 3)
        #expect(timeline[0].exitCode == 1)
        #expect(timeline[0].invocationID == "ab")
        let all = try await store.observations(of: "a.service", from: 0)
        #expect(all.first?.observation.time == 100.000001)
        #expect(try await store.units() == ["a.service", "b.service"])
        let latest = try await store.latestObservations()
        #expect(latest["a.service"]?.observation.time == 300.25)
        #expect(latest["b.service"]?.observation.time == 150)
    }

    /// Every unit's timeline through `mapTimelines`, checking that each unit comes exactly once.
    func timelines(_ store: MedicStore, from: Double) async throws -> [String: [StateObservation]] {
        let pairs = try await store.mapTimelines(from: from) { unit, observations in (unit, observations) }
        #expect(Set(pairs.map(\.0)).count == pairs.count, "a unit handed over twice")
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    @Test("all timelines unit by unit equal each unit's own, with the state in effect at the start and ties in insertion order")
    func timelinesAtOnce() async throws {
        let store = try MedicStore.inMemory()
        try await store.append([
            observation("a.service", 100, "active"),
            observation("a.service", 200, "failed", .failed),
            observation("a.service", 200, "active"),
            observation("b.service", 150, "active"),
            observation("c.service", 400, "failed", .failed),
            observation("a.service", 300, "failed", .failed),
            StoredObservation(unit: "b.service", observation: .gap(at: 260)),
        ])
        for from in [0.0, 150, 200, 250, 500] {
            let all = try await timelines(store, from: from)
            for unit in ["a.service", "b.service", "c.service"] {
                let own = try await store.observations(of: unit, from: from).map(\.observation)
                #expect(all[unit] ?? [] == own, "\(unit) from \(from)")
            }
        }
        let fromMiddle = try await timelines(store, from: 250)
        #expect(fromMiddle["a.service"]?.map(\.health) == [.healthy, .failed], "the later of two rows at 200 is in effect")
        #expect(fromMiddle["b.service"]?.map(\.isGap) == [false, true])
        #expect(fromMiddle["c.service"]?.map(\.time) == [400])
        #expect(try await timelines(store, from: 500)["c.service"]?.map(\.time) == [400])
    }

    @Test("gaps are stored as gaps")
    func gaps() async throws {
        let store = try MedicStore.inMemory()
        try await store.append([StoredObservation(unit: "a.service", observation: .gap(at: 5))])
        #expect(try await store.observations(of: "a.service", from: 0).first?.observation.isGap == true)
    }

    @Test("sessions record start, heartbeat and clean stop")
    func sessions() async throws {
        let store = try MedicStore.inMemory()
        let first = try await store.beginSession(at: 10)
        try await store.heartbeat(session: first, at: 15)
        try await store.endSession(first, at: 20)
        let second = try await store.beginSession(at: 30)
        #expect(try await store.lastSession()?.id == second)
        let previous = try #require(try await store.lastSession(before: second))
        #expect(previous == StoredSession(id: first, startedAt: 10, lastSeenAt: 20, stoppedAt: 20))
    }

    @Test("pruning keeps the state in effect at the retention boundary")
    func prune() async throws {
        let store = try MedicStore.inMemory()
        try await store.append([observation("a.service", 1, "active"), observation("a.service", 2, "failed", .failed), observation("a.service", 10, "active")])
        #expect(try await store.prune(before: 5) == 1)
        #expect(try await store.observations(of: "a.service", from: 0).map(\.observation.time) == [2, 10])
    }

    @Test("a file store is readable by a second connection while open (WAL)")
    func fileStore() async throws {
        let path = NSTemporaryDirectory() + "medic-store-\(UUID().uuidString)/medic.db"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let writer = try MedicStore(path: path)
        try await writer.append([observation("a.service", 1, "active")])
        let reader = try MedicStore(path: path)
        #expect(try await reader.units() == ["a.service"])
    }
}

@Suite("Correction history")
struct CorrectionHistoryTests {
    @Test("an intent is open until closed; steps keep their order and captured values, even UInt64.max")
    func lifecycle() async throws {
        let store = try MedicStore.inMemory()
        let intent = CorrectionIntent(unit: "a.service", playbook: "p", reason: "why", alternatives: ["q", "r"], startedAt: 10, signature: "exit-code:status=3#0badcafe",
                                      trigger: "failure; budget breached", rank: 2, journal: ["line one", "a message\nof two lines"])
        let id = try await store.openCorrection(intent)
        #expect(try await store.corrections(openOnly: true).map(\.id) == [id])
        try await store.recordStep(StoredStep(action: "set-property", startedAt: 10, endedAt: 10.5, outcome: "done", error: nil, isRollback: false, captured: UInt64.max), of: id)
        try await store.recordStep(StoredStep(action: "restart", startedAt: 10.5, endedAt: 11, outcome: "failed", error: "the job ended failed", isRollback: false, captured: nil), of: id)
        try await store.closeCorrection(id, state: "rolled-back", verification: "not verified: a step failed", at: 12)
        #expect(try await store.correction(id: id)?.intent == intent)
        #expect(try await store.correction(id: id + 1) == nil)
        #expect(try await store.corrections(openOnly: true).isEmpty)
        let correction = try #require(try await store.corrections(unit: "a.service").first)
        #expect(correction == StoredCorrection(id: id, intent: intent, state: "rolled-back", endedAt: 12, verification: "not verified: a step failed"))
        #expect(correction.past == PastCorrection(unit: "a.service", playbook: "p", signature: "exit-code:status=3#0badcafe", outcome: .rolledBack, startedAt: 10, endedAt: 12))
        let steps = try await store.steps(of: id)
        #expect(steps.map(\.action) == ["set-property", "restart"])
        #expect(steps[0].captured == UInt64.max)
        #expect(steps[1].error == "the job ended failed")
        #expect(try await store.corrections(unit: "other.service").isEmpty)
    }

    func record(_ store: MedicStore, _ unit: String, _ playbook: String, _ state: String, at time: Double, recovery: Double? = nil) async throws {
        let id = try await store.openCorrection(CorrectionIntent(unit: unit, playbook: playbook, reason: "r", dryRun: state == "dry-run", startedAt: time, signature: "signal:SIGKILL"))
        if state != "open" { try await store.closeCorrection(id, state: state, verification: nil, at: time + 5, recoverySeconds: recovery) }
    }

    @Test("history filters: unit glob, playbook, since, outcome, limit; newest first")
    func filters() async throws {
        let store = try MedicStore.inMemory()
        try await record(store, "web-1.service", "restart", "recovered", at: 100, recovery: 2)
        try await record(store, "web-2.service", "restart", "rolled-back", at: 200)
        try await record(store, "db.service", "memory", "recovered", at: 300, recovery: 4)
        try await record(store, "web-1.service", "memory", "dry-run", at: 400)
        try await record(store, "web-1.service", "restart", "open", at: 500)
        func units(_ filter: CorrectionFilter) async throws -> [String] { try await store.corrections(filter).map { "\($0.unit) \($0.playbook) \($0.state)" } }
        #expect(try await units(CorrectionFilter(unit: "web-*")) == ["web-1.service restart open", "web-1.service memory dry-run", "web-2.service restart rolled-back", "web-1.service restart recovered"])
        #expect(try await units(CorrectionFilter(playbook: "memory")) == ["web-1.service memory dry-run", "db.service memory recovered"])
        #expect(try await units(CorrectionFilter(since: 300)).count == 3)
        #expect(try await units(CorrectionFilter(outcome: "recovered")) == ["db.service memory recovered", "web-1.service restart recovered"])
        #expect(try await units(CorrectionFilter(unit: "web-?.service", playbook: "restart", limit: 1)) == ["web-1.service restart open"])
        let past = try await store.pastCorrections()
        #expect(past.map(\.startedAt) == [100, 200, 300, 400], "ended ones, oldest first")
        #expect(past[0].recoverySeconds == 2)
    }

    @Test("what was learned is derived from history, survives reopening, and a reset forgets a playbook's earlier attempts")
    func statistics() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("medic-store-\(UInt32.random(in: 0..<UInt32.max))/medic.db").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        do {
            let store = try MedicStore(path: path)
            try await record(store, "a.service", "restart", "recovered", at: 100, recovery: 3)
            try await record(store, "a.service", "restart", "rolled-back", at: 200)
            try await record(store, "a.service", "restart", "dry-run", at: 300)
            try await record(store, "a.service", "memory", "failed", at: 400)
        }
        let store = try MedicStore(path: path)
        var learned = try await store.learnedStatistics()
        #expect(learned.statistics(playbook: "restart", signature: "signal:SIGKILL").attempts == 2)
        #expect(learned.statistics(playbook: "restart", signature: "signal:SIGKILL").recoveryTimes == [3])
        try await store.resetStatistics(playbook: "restart", at: 250)
        #expect(try await store.statisticsResets() == ["restart": 250])
        learned = try await store.learnedStatistics()
        #expect(learned.statistics(playbook: "restart", unit: "a.service").attempts == 0)
        #expect(learned.statistics(playbook: "memory", unit: "a.service").attempts == 1)
    }
}
