import Foundation
import MedicCore
import MedicEngine
import MedicTestSupport
import ProcessRunner
import Synchronization
import SystemdBus
import Testing

/// Records what the executor asks of systemd; fine for unit tests of the executor's logic (the real
/// bus is exercised by the heal integration tests).
final class RecordingActions: UnitActions {
    let calls = Mutex<[String]>([])
    let properties = Mutex<[String: UInt64]>(["MemoryMax": UInt64.max])
    let failingJobs: Set<String>
    /// What the manager reports of the unit before the first step; nil: no such unit.
    let current: Mutex<UnitSnapshot?>

    init(failingJobs: Set<String> = [], current: UnitSnapshot? = RecordingActions.failed("web.service")) {
        self.failingJobs = failingJobs
        self.current = Mutex(current)
    }

    static func failed(_ name: String) -> UnitSnapshot {
        var unit = UnitSnapshot(name: name)
        unit.loadState = "loaded"
        unit.activeState = "failed"
        unit.subState = "failed"
        unit.result = "exit-code"
        return unit
    }

    func snapshot(of unit: String) async throws -> UnitSnapshot? {
        current.withLock { $0 }
    }

    func job(_ verb: SystemdManager.JobVerb, unit: String, timeout: Double) async throws -> JobRunner.Outcome {
        calls.withLock { $0.append("\(verb.rawValue) \(unit)") }
        return failingJobs.contains(verb.rawValue) ? .finished("failed") : .finished("done")
    }

    func resetFailed(_ unit: String) async throws { calls.withLock { $0.append("ResetFailedUnit \(unit)") } }

    func kill(_ unit: String, whom: String, signal: Int32) async throws { calls.withLock { $0.append("KillUnit \(unit) \(whom) \(signal)") } }

    func property(_ name: String, of unit: String) async throws -> UInt64? { properties.withLock { $0[name] } }

    func setProperty(_ name: String, of unit: String, to value: UInt64) async throws {
        calls.withLock { $0.append("set \(name)=\(value)") }
        properties.withLock { $0[name] = value }
    }
}

@Suite("Carrying out corrections")
struct CorrectionExecutorTests {
    func plan(_ steps: [PlaybookStep], rollback: Playbook.Rollback = .automatic, dryRun: Bool = false) -> CorrectionPlan {
        let playbook = Playbook(name: "p", steps: steps, verify: Verification(healthyFor: 1, within: 2), rollback: rollback)
        return CorrectionPlan(unit: "web.service", playbook: playbook, steps: steps.map(PlannedStep.init), alternatives: [], dryRun: dryRun, reason: "test")
    }

    func run(_ plan: CorrectionPlan, actions: RecordingActions, verified: Bool) async -> CorrectionReport {
        let executor = CorrectionExecutor(actions: actions) { _ in (verified, verified ? "ok" : "still failing") }
        return await executor.execute(plan, unit: UnitSnapshot(name: "web.service"))
    }

    @Test("steps run in order and a verified correction is recovered")
    func recovered() async {
        let actions = RecordingActions()
        let report = await run(plan([.resetFailed, .start]), actions: actions, verified: true)
        #expect(report.outcome == .recovered)
        #expect(actions.calls.withLock { $0 } == ["ResetFailedUnit web.service", "StartUnit web.service"])
        #expect(report.steps.map(\.outcome) == ["done", "done"])
    }

    @Test("an unverified correction is rolled back in reverse, restoring captured properties")
    func rollback() async {
        let actions = RecordingActions()
        let steps: [PlaybookStep] = [.setProperty(name: "MemoryMax", value: .absolute(.bytes(1 << 30)), limit: nil), .stop, .restart]
        let report = await run(plan(steps), actions: actions, verified: false)
        #expect(report.outcome == .rolledBack)
        #expect(actions.calls.withLock { $0 } == [
            "set MemoryMax=1073741824", "StopUnit web.service", "RestartUnit web.service",
            "StartUnit web.service", "set MemoryMax=\(UInt64.max)",
        ])
        #expect(report.steps.filter(\.isRollback).map(\.action) == ["start", "restore MemoryMax"])
    }

    @Test("a failed step stops the correction, which is rolled back without verification")
    func failedStep() async {
        let actions = RecordingActions(failingJobs: ["RestartUnit"])
        let report = await run(plan([.stop, .restart, .reload]), actions: actions, verified: true)
        #expect(report.outcome == .rolledBack)
        #expect(report.verification == "not verified: a step failed")
        #expect(actions.calls.withLock { $0 } == ["StopUnit web.service", "RestartUnit web.service", "StartUnit web.service"])
        #expect(report.steps.map(\.outcome) == ["done", "failed", "undone"])
    }

    @Test("with rollback none, an unverified correction stays as it is and has failed")
    func noRollback() async {
        let actions = RecordingActions()
        let report = await run(plan([.stop], rollback: .none), actions: actions, verified: false)
        #expect(report.outcome == .failed)
        #expect(actions.calls.withLock { $0 } == ["StopUnit web.service"])
    }

    @Test("dry-run calls nothing and records every step")
    func dryRun() async {
        let actions = RecordingActions()
        let report = await run(plan([.restart, .setProperty(name: "MemoryMax", value: .relativePercent(25), limit: .bytes(1 << 30))], dryRun: true), actions: actions, verified: true)
        #expect(report.outcome == .dryRun)
        #expect(actions.calls.withLock { $0 }.isEmpty)
        #expect(report.steps.map(\.outcome) == ["dry-run", "dry-run"])
    }

    /// (current, change, cap, expected)
    static let relativeCases: [(UInt64, PropertyChange, ResourceAmount?, UInt64)] = [
        (100 << 20, .relativePercent(25), .bytes(1 << 30), 125 << 20),
        (1000 << 20, .relativePercent(25), .bytes(1 << 30), 1 << 30),
        (UInt64.max, .relativePercent(25), .bytes(1 << 30), 1 << 30),
        (100, .relativePercent(-50), nil, 50),
        (0, .absolute(.infinity), nil, UInt64.max),
    ]

    @Test("relative changes grow from the current value and stop at the cap")
    func arithmetic() throws {
        for (current, change, limit, expected) in Self.relativeCases {
            #expect(try PropertyArithmetic.newValue(for: "MemoryMax", change: change, current: current, limit: limit) == expected)
        }
    }

    @Test("a relative change compounds with the attempt, from the value before the correction, up to the cap")
    func compounding() throws {
        let change = PropertyChange.relativePercent(50)
        #expect(try PropertyArithmetic.newValue(for: "MemoryMax", change: change, current: 100 << 20, limit: .bytes(1 << 30), attempt: 1) == 150 << 20)
        #expect(try PropertyArithmetic.newValue(for: "MemoryMax", change: change, current: 100 << 20, limit: .bytes(1 << 30), attempt: 2) == 225 << 20)
        #expect(try PropertyArithmetic.newValue(for: "MemoryMax", change: change, current: 100 << 20, limit: .bytes(300 << 20), attempt: 3) == 300 << 20)
    }

    @Test("CPUQuota percentages become microseconds per second; memory percentages are refused")
    func percentages() throws {
        #expect(try PropertyArithmetic.newValue(for: "CPUQuota", change: .absolute(.percent(50)), current: nil, limit: nil) == 500_000)
        #expect(throws: PropertyArithmetic.Unsupported.self) {
            try PropertyArithmetic.newValue(for: "MemoryMax", change: .absolute(.percent(50)), current: nil, limit: nil)
        }
    }

    @Test("a webhook notification posts a self-describing JSON notice with an HTTP client, not a command line (to a local listener)", arguments: [
        (true, "escalated", "page"), (false, "running", "info"),
    ])
    func webhook(escalation: Bool, outcome: String, severity: String) async throws {
        let (server, lines, port) = try webhookListener(status: 204)
        defer { server.signal(SIGKILL); server.wait() }
        let actions = RecordingActions()
        let steps: [PlaybookStep] = [.notify(.webhook("http://127.0.0.1:\(port)/hook"))] + (escalation ? [] : [.restart])
        let report = await run(plan(steps, rollback: .none), actions: actions, verified: true)
        #expect(report.steps.first?.outcome == "done", "\(report.steps)")
        let body = try #require(lines.waitFor(from: 1, timeout: 10) { $0.hasPrefix("{") }?.line)
        let notice = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(notice["unit"] as? String == "web.service")
        #expect(notice["playbook"] as? String == report.playbook)
        #expect(notice["outcome"] as? String == outcome)
        #expect(notice["severity"] as? String == severity)
        #expect((notice["host"] as? String)?.isEmpty == false)
        #expect((notice["time"] as? String)?.hasSuffix("Z") == true)
        #expect(notice["reason"] is String)
        #expect(lines.all.contains { $0.hasPrefix("agent medic/") }, "\(lines.all)")
    }

    @Test("a webhook that answers with an error fails its step, naming the status")
    func webhookError() async throws {
        let (server, _, port) = try webhookListener(status: 503)
        defer { server.signal(SIGKILL); server.wait() }
        let report = await run(plan([.notify(.webhook("http://127.0.0.1:\(port)/hook"))], rollback: .none), actions: RecordingActions(), verified: true)
        #expect(report.steps.map(\.outcome) == ["failed"])
        #expect(report.steps.first?.error?.contains("answered 503") == true, "\(report.steps)")
    }

    struct ListenerFailed: Error {}

    /// A one-request HTTP listener on loopback answering `status`: it prints its port, then the
    /// client's User-Agent ("agent ...") and the body it received.
    func webhookListener(status: Int) throws -> (ChildProcess, LineReader, String) {
        let script = """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers['Content-Length']))
                    self.send_response(\(status)); self.end_headers()
                    print("agent " + self.headers['User-Agent'], flush=True)
                    print(body.decode(), flush=True)
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.handle_request()
            """
        let server = try ChildProcess.spawn(["python3", "-c", script], environment: ProcessInfo.processInfo.environment, standardOutput: .pipe)
        let lines = LineReader(fd: server.standardOutput)
        guard let port = lines.waitFor(timeout: 10, { Int($0) != nil })?.line else {
            server.signal(SIGKILL)
            server.wait()
            throw ListenerFailed()
        }
        return (server, lines, port)
    }

    @Test("just before the first step the unit is read again: a plan for a unit that is running again, busy with systemd or gone is abandoned, with nothing sent", arguments: [
        ("active", false, "is active again"), ("failed", true, "systemd has a job queued"), ("gone", false, "no longer exists"),
    ])
    func abandonedBeforeFirstStep(state: String, job: Bool, reason: String) async {
        var current: UnitSnapshot? = RecordingActions.failed("web.service")
        if state == "gone" { current = nil }
        if state == "active" { current?.activeState = "active"; current?.subState = "running" }
        current?.hasJob = job
        let actions = RecordingActions(current: current)
        let report = await run(plan([.setProperty(name: "MemoryMax", value: .absolute(.bytes(1 << 30)), limit: nil), .restart]), actions: actions, verified: true)
        #expect(report.outcome == .abandoned)
        #expect(report.verification?.contains(reason) == true, "\(report.verification ?? "")")
        #expect(actions.calls.withLock { $0 }.isEmpty)
        #expect(report.steps.isEmpty)
    }

    @Test("each step is announced before its call, with the value a property change is about to replace")
    func announcedBeforeTheCall() async {
        let actions = RecordingActions()
        let announced = Mutex<[String]>([])
        var executor = CorrectionExecutor(actions: actions) { _ in (false, "still failing") }
        executor.onStepStart = { action, _, isRollback, captured in
            let calls = actions.calls.withLock { $0.count }
            announced.withLock { $0.append("\(isRollback ? "undo " : "")\(action) captured=\(captured.map(String.init) ?? "-") after \(calls) calls") }
        }
        _ = await executor.execute(plan([.setProperty(name: "MemoryMax", value: .absolute(.bytes(1 << 30)), limit: nil), .restart]), unit: UnitSnapshot(name: "web.service"))
        #expect(announced.withLock { $0 } == [
            "set-property captured=\(UInt64.max) after 0 calls",
            "restart captured=- after 1 calls",
            "undo restore MemoryMax captured=\(UInt64.max) after 2 calls",
        ])
    }

    @Test("a notification-only playbook is an escalation: sent, not verified, never recovered")
    func escalationOnly() async {
        let actions = RecordingActions()
        let report = await run(plan([.notify(.command(["/bin/false"]))], rollback: .none), actions: actions, verified: true)
        #expect(report.outcome == .escalated)
        #expect(report.verification == "escalated, but no notification could be delivered")
        let sent = await run(plan([.notify(.command(["/bin/true"]))], rollback: .none), actions: actions, verified: true)
        #expect(sent.outcome == .escalated)
        #expect(sent.verification == "escalated: a person was notified; not verified")
    }
}
