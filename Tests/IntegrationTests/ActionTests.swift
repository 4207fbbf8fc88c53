import Foundation
import MedicTestSupport
import SystemdBus
import SystemdSandbox
import Testing

/// The manager calls corrections will be made of, against a real sandboxed systemd: jobs waited for
/// through JobRemoved, reset-failed, kill and runtime properties.
@Suite("Acting on units through the bus")
struct ActionTests {
    func withRunner(_ body: (SystemdSandbox, JobRunner) async throws -> Void) async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let runner = try await JobRunner.open(.address(sandbox.busAddress))
        defer { runner.close() }
        try await body(sandbox, runner)
    }

    func activeState(_ unit: String, in sandbox: SystemdSandbox) throws -> String {
        try sandbox.systemctl("show", "-P", "ActiveState", unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("restarting a failed unit is a job that finishes done, and the unit runs again")
    func restart() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("restart")
            try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sleep infinity\n"])
            #expect(try await runner.run(.start, unit: name, timeout: 10) == .finished("done"))
            kill(try sandbox.mainPID(of: name), SIGKILL)
            #expect(try await runner.run(.restart, unit: name, timeout: 10).succeeded)
            #expect(try activeState(name, in: sandbox) == "active")
        }
    }

    @Test("a job that fails says so")
    func failedJob() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("oneshot-fails")
            try sandbox.install(units: [name: "[Service]\nType=oneshot\nExecStart=/bin/false\n"])
            #expect(try await runner.run(.start, unit: name, timeout: 10) == .finished("failed"))
        }
    }

    @Test("reset-failed clears a failed unit's state and result, and it can then be started")
    func resetFailed() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("reset")
            let flag = sandbox.runtimeDirectory + "/\(name).ok"
            try sandbox.install(units: [name: "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/test -e \(flag)\n"])
            #expect(try await runner.run(.start, unit: name, timeout: 10) == .finished("failed"))
            #expect(try activeState(name, in: sandbox) == "failed")
            try await runner.manager.resetFailed(unit: name)
            #expect(try activeState(name, in: sandbox) == "inactive")
            #expect(try sandbox.systemctl("show", "-P", "Result", name).standardOutput.hasPrefix("success"))
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            #expect(try await runner.run(.start, unit: name, timeout: 10) == .finished("done"))
            #expect(try activeState(name, in: sandbox) == "active")
        }
    }

    @Test("a runtime property change is read back on the bus, and so is putting the old value back")
    func setProperty() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("memory")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let path = try await runner.manager.unitPath(name)
            let before = try #require(try await runner.manager.allProperties(of: path)["MemoryMax"]?.uint64)
            try await runner.manager.setProperties(unit: name, runtime: true, [("MemoryMax", .uint64(64 << 20))])
            #expect(try await runner.manager.allProperties(of: path)["MemoryMax"]?.uint64 == 64 << 20)
            try await runner.manager.setProperties(unit: name, runtime: true, [("MemoryMax", .uint64(before))])
            #expect(try await runner.manager.allProperties(of: path)["MemoryMax"]?.uint64 == before)
        }
    }

    @Test("kill signals the unit's main process")
    func killUnit() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("killed")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            try await runner.manager.kill(unit: name, whom: "main", signal: SIGKILL)
            // The signal is delivered asynchronously; look boundedly for its effect.
            var state = ""
            for _ in 0..<100 where state != "failed" {
                state = try activeState(name, in: sandbox)
                if state != "failed" { usleep(20_000) }
            }
            #expect(state == "failed")
            #expect(try sandbox.systemctl("show", "-P", "Result", name).standardOutput.hasPrefix("signal"))
        }
    }

    @Test("waiting gives up at its timeout, and the job's end can still be awaited")
    func timeout() async throws {
        try await withRunner { sandbox, runner in
            let name = uniqueUnit("slow")
            // The start job lasts until the test lets it finish, however loaded the machine is.
            let flag = sandbox.runtimeDirectory + "/\(name).go"
            try sandbox.install(units: [name: "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'while [ ! -e \(flag) ]; do sleep 0.05; done'\n"])
            let job = try await runner.manager.enqueue(.start, unit: name)
            #expect(await runner.wait(forJob: job, timeout: 0.2) == .timedOut)
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            #expect(await runner.wait(forJob: job, timeout: 10) == .finished("done"))
        }
    }
}
