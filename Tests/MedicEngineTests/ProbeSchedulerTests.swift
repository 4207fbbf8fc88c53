import Foundation
import MedicCore
import MedicEngine
import MedicTestSupport
import Synchronization
import Testing

/// The scheduler with a runner that only counts: which probes run, how many at once, and what their
/// results make of the units on the board.
@Suite("Probe scheduling")
struct ProbeSchedulerTests {
    final class Counter: Sendable {
        struct State {
            var running = 0
            var most = 0
            var runningPerUnit: [String: Int] = [:]
            var overlapped: Set<String> = []
            var runs: [String: Int] = [:]
        }
        let state = Mutex(State())

        func begin(_ unit: String) {
            state.withLock { s in
                s.running += 1
                s.most = max(s.most, s.running)
                s.runningPerUnit[unit, default: 0] += 1
                if s.runningPerUnit[unit]! > 1 { s.overlapped.insert(unit) }
                s.runs[unit, default: 0] += 1
            }
        }

        func end(_ unit: String) {
            state.withLock { s in
                s.running -= 1
                s.runningPerUnit[unit]! -= 1
            }
        }
    }

    func serving(_ name: String, active: String = "active", run: String = "run-1") -> UnitHealth {
        var snapshot = UnitSnapshot(name: name)
        snapshot.loadState = "loaded"
        snapshot.activeState = active
        snapshot.subState = active == "active" ? "running" : "dead"
        snapshot.invocationID = run
        snapshot.stateChangeMicros = UInt64((Date().timeIntervalSince1970 - 60) * 1_000_000)
        return UnitHealth(snapshot: snapshot, verdict: HealthVerdict(.healthy, "running"))
    }

    @Test("probes run at most `parallelism` at a time, never two of one unit at once (though it has two), only for units that serve and match a rule")
    func bounds() async throws {
        let counter = Counter()
        let rule = ProbeRule(units: [try UnitPattern("web-*.service")], spec: ProbeSpec(kind: .tcp(host: "127.0.0.1", port: 1), interval: 1, timeout: 1))
        // web-1x units have a second probe: still one probe of a unit at a time.
        let second = ProbeRule(units: [try UnitPattern("web-1*.service")], spec: ProbeSpec(kind: .tcp(host: "127.0.0.1", port: 2), interval: 1, timeout: 1))
        let scheduler = ProbeScheduler(parallelism: 4, rules: { [rule, second] }, runner: { _, unit in
            counter.begin(unit)
            try? await Task.sleep(for: .milliseconds(300))  // slower than the interval would allow back to back
            counter.end(unit)
            return ProbeResult(passed: !unit.hasSuffix("7.service"), detail: "checked", time: Date().timeIntervalSince1970)
        })
        for index in 0..<20 { scheduler.observe(serving("web-\(index).service")) }
        scheduler.observe(serving("web-stopped.service", active: "inactive"))
        scheduler.observe(serving("db.service"))
        let (task, executor) = running(scheduler)
        defer { executor.stop() }
        // Until every unit had its first probe (jittered within the interval) and web-7 its third:
        // waited for, not timed (other tests may hold the few threads for a while).
        let done = await eventually(120) {
            scheduler.board.state(of: "web-7.service")?.status == .failing
                && counter.state.withLock { s in (0..<20).allSatisfy { (s.runs["web-\($0).service"] ?? 0) >= 1 } }
        }
        task.cancel()
        await task.value
        #expect(done)
        let state = counter.state.withLock { $0 }
        #expect(state.most <= 4 && state.most >= 2, "at most 4 at once: \(state.most)")
        #expect(state.overlapped.isEmpty, "one probe of a unit at a time")
        #expect(state.runs["db.service"] == nil && state.runs["web-stopped.service"] == nil, "no rule, or not serving: never probed")
        #expect((0..<20).allSatisfy { (state.runs["web-\($0).service"] ?? 0) >= 1 }, "every serving unit probed: \(state.runs)")
        #expect(scheduler.board.state(of: "web-7.service")?.status == .failing, "three failures in a row")
        #expect(scheduler.board.state(of: "web-3.service")?.status == .passing)
        #expect(scheduler.board.state(of: "web-stopped.service")?.status == .paused)
        #expect(scheduler.board.state(of: "db.service") == nil)
    }

    @Test("a unit that stops is paused at once, a new run is judged afresh, and an unloaded unit leaves the board")
    func lifecycle() async throws {
        let rule = ProbeRule(units: [try UnitPattern("app.service")], spec: ProbeSpec(kind: .tcp(host: "127.0.0.1", port: 1), interval: 1, timeout: 1, failureThreshold: 1))
        let scheduler = ProbeScheduler(rules: { [rule] }, runner: { _, _ in ProbeResult(passed: false, detail: "connection refused", time: Date().timeIntervalSince1970) })
        scheduler.observe(serving("app.service"))
        let (task, executor) = running(scheduler)
        defer {
            task.cancel()
            executor.stop()
        }
        #expect(await eventually(120) { scheduler.board.state(of: "app.service")?.status == .failing })
        #expect(scheduler.board.state(of: "app.service")?.startKey == "run-1")
        scheduler.observe(serving("app.service", active: "inactive"))
        #expect(scheduler.board.state(of: "app.service")?.status == .paused, "paused as soon as it stops, not at the next probe")
        scheduler.observe(serving("app.service", run: "run-2"))
        #expect(scheduler.board.state(of: "app.service")?.status == .pending)
        #expect(scheduler.board.state(of: "app.service")?.startKey == "run-2")
        scheduler.forget("app.service")
        #expect(scheduler.board.state(of: "app.service") == nil)
    }

    @Test("a reload that adds, changes or removes probes takes effect for units already seen")
    func reload() async throws {
        let rules = Mutex<[ProbeRule]>([])
        let failing = ProbeRule(units: [try UnitPattern("app.service")], spec: ProbeSpec(kind: .tcp(host: "127.0.0.1", port: 1), interval: 1, timeout: 1, failureThreshold: 1))
        let scheduler = ProbeScheduler(rules: { rules.withLock { $0 } }, runner: { spec, _ in
            ProbeResult(passed: spec.kind == .tcp(host: "127.0.0.1", port: 2), detail: "checked", time: Date().timeIntervalSince1970)
        })
        scheduler.observe(serving("app.service"))
        let (task, executor) = running(scheduler)
        defer {
            task.cancel()
            executor.stop()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(scheduler.board.state(of: "app.service") == nil, "no rule, no probe")
        rules.withLock { $0 = [failing] }
        #expect(await eventually(120) { scheduler.board.state(of: "app.service")?.status == .failing })
        var passing = failing
        passing.spec.kind = .tcp(host: "127.0.0.1", port: 2)
        rules.withLock { $0 = [passing] }
        #expect(await eventually(120) { scheduler.board.state(of: "app.service")?.status == .passing }, "the changed probe starts afresh")
        rules.withLock { $0 = [] }
        #expect(await eventually(120) { scheduler.board.state(of: "app.service") == nil }, "a removed probe leaves the board")
    }

    /// The scheduler on a thread of its own, so that it makes progress while other tests block the
    /// cooperative pool's few threads.
    func running(_ scheduler: ProbeScheduler) -> (Task<Void, Never>, DedicatedThreadExecutor) {
        let executor = DedicatedThreadExecutor(name: "probe-scheduler-test")
        return (Task(executorPreference: executor) { await scheduler.run() }, executor)
    }

    func eventually(_ seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
