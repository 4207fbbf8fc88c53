import MedicCore
import MedicEngine
import MedicStore
import Synchronization
import Testing

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let time = Mutex(1000.0)
    var clock: WallClock {
        WallClock(now: { self.time.withLock { $0 } }, monotonicMicros: { 0 })
    }
    func set(_ value: Double) { time.withLock { $0 = value } }
}

@Suite("Recording timelines")
struct TimelineRecorderTests {
    func health(_ name: String, _ active: String, _ sub: String, _ h: Health, changedAt: Double? = nil) -> UnitHealth {
        var s = UnitSnapshot(name: name)
        s.activeState = active
        s.subState = sub
        s.stateChangeMicros = changedAt.map { UInt64($0 * 1_000_000) }
        return UnitHealth(snapshot: s, verdict: HealthVerdict(h, "r"))
    }

    func timeline(_ store: MedicStore, _ unit: String) async throws -> [String] {
        try await store.observations(of: unit, from: 0).map { o in
            o.observation.isGap ? "gap@\(o.observation.time)" : "\(o.observation.activeState)@\(o.observation.time)"
        }
    }

    @Test("first sight is stored at now; repeats are dropped; changes take systemd's change time")
    func liveChanges() async throws {
        let store = try MedicStore.inMemory()
        let clock = ManualClock()
        let recorder = TimelineRecorder(store: store, clock: clock.clock) { _ in true }
        try await recorder.start()
        try await recorder.record(health("a.service", "active", "running", .healthy, changedAt: 10))
        try await recorder.snapshotComplete()
        clock.set(1005)
        try await recorder.record(health("a.service", "active", "running", .healthy, changedAt: 10))
        try await recorder.record(health("a.service", "failed", "failed", .failed, changedAt: 1004.5))
        clock.set(1010)
        try await recorder.record(health("a.service", "active", "running", .healthy, changedAt: 2000))
        try await recorder.flush()
        #expect(try await timeline(store, "a.service") == ["active@1000.0", "failed@1004.5", "active@1010.0"])
    }

    @Test("a unit whose details come in after start-up starts its timeline when Medic began watching, or at its change since; pending ones are not recorded")
    func detailsAfterStart() async throws {
        let store = try MedicStore.inMemory()
        let clock = ManualClock()
        let recorder = TimelineRecorder(store: store, clock: clock.clock) { _ in true }
        try await recorder.start()  // at 1000
        var pending = health("a.service", "failed", "failed", .failed)
        pending.snapshot.detailsPending = true
        try await recorder.record(pending)
        clock.set(1003)
        try await recorder.record(health("a.service", "failed", "failed", .failed, changedAt: 500))
        try await recorder.record(health("b.service", "active", "running", .healthy, changedAt: 1001.5))
        try await recorder.record(health("c.service", "active", "running", .healthy))
        try await recorder.flush()
        #expect(try await timeline(store, "a.service") == ["failed@1000.0"])
        #expect(try await timeline(store, "b.service") == ["active@1001.5"])
        #expect(try await timeline(store, "c.service") == ["active@1003.0"])
    }

    @Test("after a restart, systemd's StateChangeTimestamp vouches for unchanged units; changed ones get a gap")
    func restart() async throws {
        let store = try MedicStore.inMemory()
        let clock = ManualClock()
        let first = TimelineRecorder(store: store, clock: clock.clock) { _ in true }
        try await first.start()
        for unit in ["same", "changed", "nostamp", "gone"] {
            try await first.record(health("\(unit).service", "active", "running", .healthy))
        }
        try await first.snapshotComplete()
        clock.set(1100)
        try await first.stop()

        clock.set(1200)
        let second = TimelineRecorder(store: store, clock: clock.clock) { _ in true }
        try await second.start()
        try await second.record(health("same.service", "active", "running", .healthy, changedAt: 900))
        try await second.record(health("changed.service", "failed", "failed", .failed, changedAt: 1150))
        try await second.record(health("nostamp.service", "failed", "failed", .failed))
        try await second.snapshotComplete()
        #expect(try await timeline(store, "same.service") == ["active@1000.0"])
        #expect(try await timeline(store, "changed.service") == ["active@1000.0", "gap@1100.0", "failed@1150.0"])
        #expect(try await timeline(store, "nostamp.service") == ["active@1000.0", "gap@1100.0", "failed@1200.0"])
        #expect(try await timeline(store, "gone.service") == ["active@1000.0", "inactive@1100.0"])
    }

    @Test("a lost bus connection is a gap like a restart")
    func connectionLost() async throws {
        let store = try MedicStore.inMemory()
        let clock = ManualClock()
        let recorder = TimelineRecorder(store: store, clock: clock.clock) { _ in true }
        try await recorder.start()
        try await recorder.record(health("a.service", "active", "running", .healthy))
        try await recorder.snapshotComplete()
        clock.set(1050)
        await recorder.connectionLost(at: 1050)
        clock.set(1060)
        try await recorder.record(health("a.service", "failed", "failed", .failed, changedAt: 1055))
        try await recorder.snapshotComplete()
        #expect(try await timeline(store, "a.service") == ["active@1000.0", "gap@1050.0", "failed@1055.0"])
    }

    @Test("units the configuration does not watch are not stored")
    func filter() async throws {
        let store = try MedicStore.inMemory()
        let recorder = TimelineRecorder(store: store, clock: ManualClock().clock) { $0 == "a.service" }
        try await recorder.start()
        try await recorder.record(health("a.service", "active", "running", .healthy))
        try await recorder.record(health("b.service", "active", "running", .healthy))
        try await recorder.flush()
        #expect(try await store.units() == ["a.service"])
    }
}
