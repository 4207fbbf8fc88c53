import Foundation
import MedicCore
import MedicEngine
import MedicTestSupport
import ProcessRunner
import Testing

/// What a `run` step starts does not outlive it: each command runs in its own process group, which
/// gets SIGTERM on timeout and SIGKILL after a grace period.
@Suite("Contained commands")
struct ContainedCommandTests {
    func isAlive(_ pid: pid_t) -> Bool {
        // A zombie waiting for its reaper is gone for our purposes: it runs nothing.
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z"
    }

    /// Runs one `run` step with `script` (sh -c) in a fresh directory; the report and the directory.
    func runStep(_ script: (String) -> String, timeout: Double) async throws -> (CorrectionReport, String) {
        let dir = NSTemporaryDirectory() + "medic-group-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let step = PlaybookStep.run(argv: ["/bin/sh", "-c", script(dir)], undo: nil, timeout: timeout, user: nil)
        let playbook = Playbook(name: "p", steps: [step], verify: Verification(healthyFor: 1, within: 2), rollback: .none)
        let plan = CorrectionPlan(unit: "web.service", playbook: playbook, steps: [PlannedStep(step)], alternatives: [], dryRun: false, reason: "test")
        let executor = CorrectionExecutor(actions: RecordingActions()) { _ in (true, "ok") }
        return (await executor.execute(plan, unit: UnitSnapshot(name: "web.service")), dir)
    }

    func pid(in file: String) throws -> Int32 {
        try #require(Int32(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("a command that times out is ended with everything it started, even a grandchild that ignores SIGTERM")
    func timeoutEndsTheGroup() async throws {
        // The child starts a grandchild that ignores SIGTERM, writes its pid, then waits for ever.
        let (report, dir) = try await runStep({ dir in
            "trap '' TERM; (trap '' TERM; echo $$ > \(dir)/grandchild.pid; exec sleep 300) & echo $$ > \(dir)/child.pid; sleep 300"
        }, timeout: 1)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(report.steps.first?.outcome == "failed")
        #expect(report.steps.first?.error?.contains("did not finish within 1s and was stopped") == true, "\(report.steps)")
        let child = try pid(in: dir + "/child.pid")
        let grandchild = try pid(in: dir + "/grandchild.pid")
        // The step returns only once the group is empty (SIGKILL after the grace period).
        #expect(!isAlive(child))
        #expect(await eventually(2) { !isAlive(grandchild) }, "the grandchild \(grandchild) survived")
    }

    @Test("a command that exits leaves nothing behind in its group")
    func exitEndsTheGroup() async throws {
        let (report, dir) = try await runStep({ dir in "(exec sleep 300) & echo $! > \(dir)/left.pid; exit 0" }, timeout: 10)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(report.steps.first?.outcome == "done", "\(report.steps)")
        let left = try pid(in: dir + "/left.pid")
        #expect(await eventually(2) { !isAlive(left) }, "the background process \(left) survived its command")
    }
}
