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
        let id = try await store.openCorrection(unit: "a.service", playbook: "p", reason: "why", alternatives: ["q", "r"], dryRun: false, at: 10)
        #expect(try await store.corrections(openOnly: true).map(\.id) == [id])
        try await store.recordStep(StoredStep(action: "set-property", startedAt: 10, endedAt: 10.5, outcome: "done", error: nil, isRollback: false, captured: UInt64.max), of: id)
        try await store.recordStep(StoredStep(action: "restart", startedAt: 10.5, endedAt: 11, outcome: "failed", error: "the job ended failed", isRollback: false, captured: nil), of: id)
        try await store.closeCorrection(id, state: "rolled-back", verification: "not verified: a step failed", at: 12)
        #expect(try await store.corrections(openOnly: true).isEmpty)
        let correction = try #require(try await store.corrections(unit: "a.service").first)
        #expect(correction == StoredCorrection(id: id, unit: "a.service", playbook: "p", reason: "why", alternatives: ["q", "r"], dryRun: false, state: "rolled-back", startedAt: 10, endedAt: 12, verification: "not verified: a step failed"))
        let steps = try await store.steps(of: id)
        #expect(steps.map(\.action) == ["set-property", "restart"])
        #expect(steps[0].captured == UInt64.max)
        #expect(steps[1].error == "the job ended failed")
        #expect(try await store.corrections(unit: "other.service").isEmpty)
    }
}
