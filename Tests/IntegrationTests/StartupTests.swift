import Foundation
import Logging
import MedicCore
import MedicEngine
import MedicTestSupport
import Synchronization
import SystemdBus
import SystemdSandbox
import Testing

/// Start-up on a real systemd: units a glob selects are taken from the manager's list, READY is said
/// at once, and each unit's details are read afterwards; nothing is recorded or acted on before them.
@Suite("start-up reads the unit list first")
struct StartupTests {
    @Test("READY comes from the list; every unit is observed only with its details, failed ones with systemd's reason; then settled")
    func listThenDetails() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let prefix = "medic-test-boot-\(String(UInt32.random(in: 0..<UInt32.max), radix: 16))"
        let running = (0..<30).map { "\(prefix)-run\($0).service" }
        let failed = (0..<5).map { "\(prefix)-bad\($0).service" }
        for name in running { try sandbox.runService(name, ["/bin/sleep", "infinity"]) }
        for name in failed { try sandbox.runService(name, ["/bin/sh", "-c", "exit 4"], wait: true) }
        #expect(waitUntil(10) { failed.allSatisfy { (try? show("ActiveState", $0, in: sandbox)) == "failed" } })

        let events = Mutex<[WatchEvent]>([])
        let watcher = UnitWatcher(address: .address(sandbox.busAddress), patterns: [try UnitPattern("\(prefix)-*")], logger: Logger(label: "test"))
        let settled = await watching(watcher, { event in events.withLock { $0.append(event) } }) {
            await eventually(60) { events.withLock { $0.contains { if case .settled = $0 { true } else { false } } } }
        }
        try #require(settled, "never settled: \(events.withLock { $0 }.count) events")
        let seen = events.withLock { $0 }

        // READY first, counting every listed unit; no unit observed before it or without its details.
        guard case .ready(let units)? = seen.first(where: { if case .observed = $0 { true } else if case .ready = $0 { true } else { false } })
        else { Issue.record("an observation came before READY"); return }
        #expect(units == running.count + failed.count)
        let observed = seen.compactMap { if case .observed(let unit) = $0 { unit } else { nil } }
        #expect(observed.allSatisfy { !$0.snapshot.detailsPending })
        #expect(Set(observed.map(\.name)) == Set(running + failed))
        // The details are in: systemd's reason and the time of the last change.
        for name in failed {
            let unit = try #require(observed.last { $0.name == name })
            #expect(unit.verdict.health == .failed)
            #expect(unit.verdict.reason == "failed: exit-code status=4")
            #expect(unit.snapshot.stateChangeMicros != nil)
        }
        for name in running { #expect(observed.last { $0.name == name }?.verdict.health == .healthy) }
        // A first complete read is a first sighting, not a transition from the list's verdict.
        #expect(!seen.contains { if case .transition = $0 { true } else { false } })
        guard case .settled(let count)? = seen.last(where: { if case .settled = $0 { true } else { false } }) else { return }
        #expect(count == units)
    }

    @Test("a change while details are pending is applied in bus order: the unit ends with its latest state")
    func changeDuringDetails() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let prefix = "medic-test-race-\(String(UInt32.random(in: 0..<UInt32.max), radix: 16))"
        let units = (0..<40).map { "\(prefix)-\($0).service" }
        for name in units { try sandbox.runService(name, ["/bin/sleep", "infinity"]) }
        let victim = try #require(units.last)
        let pid = try sandbox.mainPID(of: victim)

        let events = Mutex<[WatchEvent]>([])
        let watcher = UnitWatcher(address: .address(sandbox.busAddress), patterns: [try UnitPattern("\(prefix)-*")], logger: Logger(label: "test"))
        let (failedSeen, settled) = await watching(watcher, { event in
            events.withLock { $0.append(event) }
            // Killed as soon as READY is said, while most details are still to come.
            if case .ready = event { kill(pid, SIGKILL) }
        }) {
            let failed = await eventually(60) {
                events.withLock { $0.contains { if case .observed(let unit) = $0 { unit.name == victim && unit.verdict.health == .failed } else { false } } }
            }
            return (failed, await eventually(60) { events.withLock { $0.contains { if case .settled = $0 { true } else { false } } } })
        }
        #expect(failedSeen)
        #expect(settled)
        // Whatever order the kill and the read came in, the last word is the latest state.
        let last = events.withLock { $0.last { if case .observed(let unit) = $0 { unit.name == victim } else { false } } }
        guard case .observed(let unit)? = last else { Issue.record("\(victim) never observed"); return }
        #expect(unit.verdict.health == .failed)
        #expect(unit.verdict.reason == "failed: signal SIGKILL")
    }
}

/// Runs `watcher` on a thread of its own while `body` runs, then cancels it and waits for it to end.
private func watching<T>(_ watcher: UnitWatcher, _ onEvent: @escaping @Sendable (WatchEvent) -> Void, _ body: () async -> T) async -> T {
    let executor = DedicatedThreadExecutor(name: "startup-test")
    let task = Task(executorPreference: executor) { try await watcher.run(onEvent) }
    let result = await body()
    task.cancel()
    _ = await task.result
    executor.stop()
    return result
}
