import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic watch` against a real sandboxed systemd --user: transitions come from bus signals.
@Suite("medic watch on a real systemd")
struct WatchTests {
    @Test("kill -9 of a service's main process is reported as failed (signal SIGKILL) with an RFC 3339 time")
    func killNine() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("victim")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let watch = try WatchProcess([name], in: sandbox)
            kill(try sandbox.mainPID(of: name), SIGKILL)
            let transition = try #require(watch.waitForTransition(unit: name, to: "failed"))
            #expect(transition.from == "healthy")
            #expect(transition.reason == "failed: signal SIGKILL")
            #expect(transition.result == "signal")
            #expect(transition.time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)
            #expect(try MedicBinary.status([name], in: sandbox).unit(name)?.reason == "failed: signal SIGKILL")
        }
    }

    @Test("a Restart=always unit crashing every second becomes degraded (flapping), then degraded (crash loop): systemd still restarts it, so it is not failed")
    func flapping() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("flap")
            try sandbox.install(units: [name: """
                [Unit]
                StartLimitIntervalSec=0
                [Service]
                ExecStart=/bin/sh -c 'sleep 1; exit 1'
                Restart=always
                RestartSec=100ms
                """])
            let watch = try WatchProcess([name], in: sandbox)
            try #require(try sandbox.systemctl("start", name).succeeded)
            let flapping = try #require(watch.waitForTransition(unit: name, to: "degraded", reasonContains: "flapping", timeout: 30))
            #expect(flapping.reason.hasPrefix("flapping: "))
            #expect(flapping.reason.hasSuffix("restarts in 10m00s, last exit-code status=1"))
            let loop = try #require(watch.waitForTransition(unit: name, to: "degraded", reasonContains: "crash loop", timeout: 30))
            #expect(loop.reason.hasPrefix("crash loop: 5 restarts"))
            // A one-shot status sees NRestarts and reports the loop too.
            let status = try MedicBinary.status([name], in: sandbox)
            #expect(status.unit(name)?.health == "degraded")
            #expect(status.unit(name)?.reason.hasPrefix("crash loop") == true)
            #expect(!watch.transitions.contains { $0.unit == name && $0.to == "failed" }, "\(watch.output.all.joined(separator: "\n"))")
            // Between crashes the unit is never reported idle (no false "stopped" from the brief inactive/dead).
            let idle = watch.transitions.filter { $0.unit == name && $0.to == "idle" && $0.from != nil }
            #expect(idle.isEmpty, "\(watch.output.all.joined(separator: "\n"))")
        }
    }

    @Test("a unit created after the watch started is reported from its first state")
    func newUnit() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("late")
            let watch = try WatchProcess(["medic-test-late-*"], in: sandbox)
            try sandbox.runService(name, ["/bin/sh", "-c", "exit 7"], wait: true)
            let failed = try #require(watch.waitForTransition(unit: name, to: "failed"))
            #expect(failed.reason == "failed: exit-code status=7")
        }
    }

    @Test("human lines: aligned columns, the class coloured when asked, the reason without repeating it")
    func humanLines() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("human")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let watch = try WatchProcess([name], in: sandbox, format: ["--color", "always"])
            defer { watch.stop() }
            kill(try sandbox.mainPID(of: name), SIGKILL)
            let line = try #require(watch.output.waitFor(timeout: 30) { $0.contains(name) && $0.contains("failed") }?.line)
            let padded = name + String(repeating: " ", count: max(0, 40 - name.count))
            #expect(line.contains("Z  \(padded)  healthy -> \u{1B}[1;31mfailed\u{1B}[0m     signal SIGKILL"), "\(line)")
            #expect(!line.contains("failed: signal"), "\(line)")
        }
    }

    @Test("the watch keeps going across daemon-reload and daemon-reexec")
    func reloadAndReexec() throws {
        try withSandbox { sandbox in
            let first = uniqueUnit("reload"), second = uniqueUnit("reexec")
            try sandbox.runService(first, ["/bin/sleep", "infinity"])
            try sandbox.runService(second, ["/bin/sleep", "infinity"])
            let watch = try WatchProcess([first, second], in: sandbox)

            try #require(try sandbox.systemctl("daemon-reload").succeeded)
            kill(try sandbox.mainPID(of: first), SIGKILL)
            #expect(watch.waitForTransition(unit: first, to: "failed") != nil)

            try #require(try sandbox.systemctl("daemon-reexec").succeeded)
            kill(try sandbox.mainPID(of: second), SIGKILL)
            #expect(watch.waitForTransition(unit: second, to: "failed")?.reason == "failed: signal SIGKILL")
        }
    }

    @Test("when the bus goes away the watch reconnects and reports what changed meanwhile")
    func busRestart() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("meanwhile")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let pid = try sandbox.mainPID(of: name)
            let watch = try WatchProcess([name], in: sandbox)

            // systemctl reaches the manager over its private socket, so it works without the bus.
            try #require(try sandbox.systemctl("stop", "dbus.socket", "dbus.service").succeeded)
            #expect(watch.waitForMessage("lost the connection") != nil)
            kill(pid, SIGKILL)
            _ = try sandbox.run(["systemctl", "--user", "--wait", "is-failed", name])
            try #require(try sandbox.systemctl("start", "dbus.socket").succeeded)

            #expect(watch.waitForMessage("reconnected") != nil)
            let transition = try #require(watch.waitForTransition(unit: name, to: "failed"))
            #expect(transition.from == "healthy")
            #expect(transition.reason == "failed: signal SIGKILL")
        }
    }
}
