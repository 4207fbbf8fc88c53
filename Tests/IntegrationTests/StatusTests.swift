import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic status` against a real sandboxed systemd --user.
@Suite("medic status on a real systemd")
struct StatusTests {
    @Test("a unit that exits 3 is failed with exit-code status=3, and status exits 3")
    func exitCode() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("exit3")
            try sandbox.runService(name, ["/bin/sh", "-c", "exit 3"], wait: true)
            let status = try MedicBinary.status([name], in: sandbox)
            let unit = try #require(status.unit(name))
            #expect(unit.health == "failed")
            #expect(unit.reason == "failed: exit-code status=3")
            #expect(unit.result == "exit-code")
            #expect(unit.exitStatus == 3)
            #expect(status.summary.failed == 1)
            #expect(status.exitStatus == 3)
        }
    }

    @Test("without patterns status shows what medic.yaml watches (--all: everything); --state and --failed-only filter by class; colour when asked")
    func watchedStateColor() throws {
        try withSandbox { sandbox in
            let failing = uniqueUnit("cfg-failing"), kept = uniqueUnit("cfg-kept"), ignored = uniqueUnit("cfg-ignored")
            try sandbox.runService(failing, ["/bin/sh", "-c", "exit 3"], wait: true)
            for name in [kept, ignored] { try sandbox.runService(name, ["/bin/sleep", "infinity"]) }
            let config = sandbox.runtimeDirectory + "/status.yaml"
            try "watch: ['medic-test-cfg-*']\nignore: [\(ignored)]\n".write(toFile: config, atomically: true, encoding: .utf8)
            let base = ["status", "--json", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", sandbox.runtimeDirectory + "/none"]
            func units(_ extra: [String]) throws -> [String: String] {
                let result = try MedicBinary.run(base + extra, in: sandbox)
                let document = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result.standardError)")
                return Dictionary(((document["units"] as? [[String: Any]]) ?? []).map { ($0["unit"] as? String ?? "", $0["health"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
            }
            let watched = try units([])
            #expect(Set(watched.keys) == [failing, kept], "\(watched)")
            let everything = try units(["--all"])
            #expect(everything[ignored] == "healthy" && everything.count > 3, "\(everything.keys.sorted())")
            #expect(try units(["--state", "failed"]) == [failing: "failed"])
            #expect(try units(["--failed-only"]) == [failing: "failed"])
            #expect(try units(["--state", "healthy,failed"]).count == 2)
            let bad = try MedicBinary.run(base + ["--state", "broken"], in: sandbox)
            #expect(bad.status != 0 && bad.standardError.contains("unknown health class 'broken'"), "\(bad.standardError)")

            let text = ["status", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", sandbox.runtimeDirectory + "/none"]
            let colored = try MedicBinary.run(text + ["--color", "always"], in: sandbox).standardOutput
            #expect(colored.contains("\u{1B}[1;31mfailed   \u{1B}[0m \(failing)"), "\(colored)")
            #expect(colored.contains("\u{1B}[32mhealthy  \u{1B}[0m \(kept)"), "\(colored)")
            #expect(colored.contains("2 units: 1 needs attention (1 failed, 0 degraded); 1 healthy, 0 idle by design, 0 unknown"), "\(colored)")
            #expect(!(try MedicBinary.run(text + ["--color", "never"], in: sandbox).standardOutput.contains("\u{1B}[")))
        }
    }

    @Test("explain works without installed playbooks: health, SLO and systemd's own recovery, from the set shipped with the build")
    func explainWithoutInstalledPlaybooks() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("explained")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let result = try MedicBinary.run(["explain", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state", name], in: sandbox)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains("\(name): healthy: running"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("systemd itself:"))
            if !FileManager.default.fileExists(atPath: "/etc/medic/playbooks"), !FileManager.default.fileExists(atPath: "/usr/share/medic/playbooks") {
                #expect(result.standardError.contains("medic: using the playbooks shipped with this build in"), "\(result.standardError)")
            }
        }
    }

    @Test("a running unit is healthy and status exits 0 with the summary")
    func healthy() throws {
        try withSandbox { sandbox in
            let name = uniqueUnit("ok")
            try sandbox.runService(name, ["/bin/sleep", "infinity"])
            let status = try MedicBinary.status([name], in: sandbox)
            #expect(status.unit(name)?.health == "healthy")
            #expect(status.unit(name)?.reason == "running")
            #expect(status.summary.total == 1)
            #expect(status.summary.healthyPercent == 100)
            #expect(status.exitStatus == 0)

            let text = try MedicBinary.run(["status", "--bus-address", sandbox.busAddress, name], in: sandbox)
            #expect(text.status == 0)
            #expect(text.standardOutput.contains("healthy   \(name)"))
            #expect(text.standardOutput.contains("1 unit: 0 need attention (0 failed, 0 degraded); 1 healthy, 0 idle by design, 0 unknown"))
            #expect(!text.standardOutput.contains("\u{1B}["), "no colour when the output is not a terminal")
        }
    }

    @Test("a timer-driven oneshot between runs is idle and names its timer; the timer is healthy")
    func timerIdle() throws {
        try withSandbox { sandbox in
            let base = uniqueUnit("batch", "x").dropLast(2)
            try sandbox.install(units: [
                "\(base).service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
                "\(base).timer": "[Timer]\nOnCalendar=*-01-01 00:00:00\n",
            ])
            try #require(try sandbox.systemctl("start", "\(base).timer").succeeded)
            let status = try MedicBinary.status(["\(base).*"], in: sandbox)
            let service = try #require(status.unit("\(base).service"))
            #expect(service.health == "idle")
            #expect(service.reason.contains("triggered by \(base).timer, next elapse "))
            let timer = try #require(status.unit("\(base).timer"))
            #expect(timer.health == "healthy")
            #expect(timer.reason.hasPrefix("waiting, next elapse "))
        }
    }

    @Test("a unit file with a bad setting and a missing unit are unknown")
    func unknownUnits() throws {
        try withSandbox { sandbox in
            let bogus = uniqueUnit("bogus")
            let missing = uniqueUnit("missing")
            try sandbox.install(units: [bogus: "[Service]\nType=simple\n"])
            let status = try MedicBinary.status([bogus, missing], in: sandbox)
            #expect(status.unit(bogus)?.health == "unknown")
            #expect(status.unit(bogus)?.loadState == "bad-setting")
            #expect(status.unit(missing)?.health == "unknown")
            #expect(status.unit(missing)?.reason == "unit not found")
            #expect(status.exitStatus == 0)
        }
    }

    @Test("--failed-only shows only failed units")
    func failedOnly() throws {
        try withSandbox { sandbox in
            let bad = uniqueUnit("bad"), good = uniqueUnit("good")
            try sandbox.runService(bad, ["/bin/false"], wait: true)
            try sandbox.runService(good, ["/bin/sleep", "infinity"])
            let result = try MedicBinary.run(["status", "--json", "--failed-only", "--bus-address", sandbox.busAddress, "medic-test-*"], in: sandbox)
            let document = try JSONDecoder().decode(StatusDocument.self, from: Data(result.standardOutput.utf8))
            #expect(document.units.map(\.unit) == [bad])
            #expect(result.status == 3)
        }
    }
}
