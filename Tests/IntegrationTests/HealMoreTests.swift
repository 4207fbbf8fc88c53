import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` reaching more faults: verification that ends when the unit fails again, batch jobs,
/// and scarce correction slots shared fairly between unrelated failures.
@Suite("medic run heals more")
struct HealMoreTests {
    func directory(_ sandbox: SystemdSandbox, _ files: [String: String]) throws -> String {
        let directory = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (file, text) in files { try text.write(toFile: "\(directory)/\(file)", atomically: true, encoding: .utf8) }
        return directory
    }

    /// `medic run` watching `units` with the shipped playbooks (or `playbooks`) and a default configuration.
    func daemon(_ sandbox: SystemdSandbox, watching units: [String], playbooks: String = PlaybookCheckTests.repository + "/Playbooks", extra: [String] = []) throws -> DaemonProcess {
        try DaemonProcess(in: sandbox, config: try config(sandbox, watch: units), stateDirectory: sandbox.runtimeDirectory + "/state",
                          arguments: ["--playbooks", playbooks] + extra)
    }

    func config(_ sandbox: SystemdSandbox, watch: [String]) throws -> String {
        let path = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(watch.joined(separator: ", "))]\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a verification ends at once, not verified, when the unit fails again and systemd will not restart it")
    func verificationFailsFast() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("relapse")
        // Runs for a second, then fails; Restart=no: nothing but Medic will start it again.
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 3'\n"])
        _ = try sandbox.systemctl("start", name)
        #expect(await eventually(10) { (try? show("ActiveState", name, in: sandbox)) == "failed" })
        let playbooks = try directory(sandbox, ["restart.yaml": """
            name: restart-slowly-verified
            trigger: failure
            steps: [restart]
            verify: {healthy-for: 10m, within: 1h}
            guard: {cooldown: 1h, max-attempts: 1}
            """])
        let daemon = try self.daemon(sandbox, watching: [name], playbooks: playbooks)
        // Within the daemon's usual 30 s, far short of the playbook's one-hour window.
        let done = await daemon.awaitLog("correction #", "of \(name) with restart-slowly-verified:")
        #expect(done?.contains("rolled-back") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(done?.contains("failed again and systemd does not restart it") == true)
        #expect(daemon.stop() == 0)
    }

    @Test("a oneshot batch job that failed is run again by the shipped playbooks, and its successful run is its recovery")
    func oneshotRecovers() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("nightly-report")
        let flag = sandbox.runtimeDirectory + "/\(name).ok"
        try sandbox.install(units: [name: "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'test -e \(flag) || exit 2'\n"])
        _ = try? sandbox.systemctl("start", name)
        #expect(await eventually(10) { (try? show("ActiveState", name, in: sandbox)) == "failed" })
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let daemon = try self.daemon(sandbox, watching: [name])
        let done = await daemon.awaitLog("correction #", "of \(name) with restart-failed:")
        #expect(done?.contains("recovered (the run started by the correction finished successfully") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("Result", name, in: sandbox) == "success")
    }

    @Test("a timer's job whose run failed is failed, not idle, until a run succeeds, and the shipped playbooks run it again")
    func timerJob() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("nightly")
        let timer = name.replacingOccurrences(of: ".service", with: ".timer")
        let flag = sandbox.runtimeDirectory + "/\(name).ran"
        try sandbox.install(units: [
            timer: "[Timer]\nOnActiveSec=1\nAccuracySec=1ms\n",
            // Fails on its first run only.
            name: "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'test -e \(flag) || { touch \(flag); exit 4; }'\n",
        ])
        let daemon = try self.daemon(sandbox, watching: [name, timer])
        _ = try sandbox.systemctl("start", timer)
        #expect(await daemon.awaitLog("\(name): ", "-> failed: exit-code status=4") != nil, "\(daemon.log.all.joined(separator: "\n"))")
        let done = await daemon.awaitLog("correction #", "of \(name) with restart-failed:")
        #expect(done?.contains("recovered (the run started by the correction finished successfully") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(daemon.stop() == 0)
        #expect(try show("Result", name, in: sandbox) == "success")
    }

    @Test("ten units failing for unrelated reasons each get their first correction within 60 s")
    func tenUnitsShareSlots() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let names = (0..<10).map { uniqueUnit("unrelated-\($0)") }
        var units: [String: String] = [:]
        for name in names {
            // Fails when told to (its trigger file), then runs fine once restarted.
            let trigger = sandbox.runtimeDirectory + "/\(name).fail"
            units[name] = "[Service]\nExecStart=/bin/sh -c 'while ! test -e \(trigger); do sleep 0.2; done; rm -f \(trigger); exit 1'\n"
        }
        try sandbox.install(units: units)
        for name in names { _ = try sandbox.systemctl("start", name) }
        let daemon = try self.daemon(sandbox, watching: names, extra: ["--drain-timeout", "1s"])
        var failedAt: [String: Double] = [:]
        for name in names {
            // Apart enough not to be one burst (a shared cause), close enough to crowd the limits.
            _ = FileManager.default.createFile(atPath: sandbox.runtimeDirectory + "/\(name).fail", contents: nil)
            failedAt[name] = Date().timeIntervalSince1970
            try await Task.sleep(for: .seconds(3))
        }
        for name in names {
            let started = await daemon.awaitLog("correcting \(name) with ", timeout: 90)
            let at = try #require(started.flatMap(logTime), "\(name) was not corrected: \(daemon.log.all.joined(separator: "\n"))")
            // Log times are whole seconds: one more second of slack.
            #expect(at - failedAt[name]! < 61, "\(name) waited \(at - failedAt[name]!) s for its first correction")
        }
        #expect(daemon.stop() == 0)
    }

    @Test("a start that failed on a required unit is a failure of its own (cause dependency); the root is healed first, then the unit is started in the same correction")
    func dependencyChain() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let db = uniqueUnit("db"), app = uniqueUnit("app")
        // Its configuration check fails during activation for the first 1.5 s after the test begins
        // (systemd may try it twice for one start), so the start job of what requires it fails; Medic's
        // restart comes later (it lets a new failure settle for 2 s) and passes.
        let stamp = sandbox.runtimeDirectory + "/\(db).began", check = sandbox.runtimeDirectory + "/\(db)-check.sh"
        try "now=$(date +%s%N)\n[ $((now - $(cat \(stamp)))) -ge 1500000000 ] || exit 1\n".write(toFile: check, atomically: true, encoding: .utf8)
        try sandbox.install(units: [
            db: "[Service]\nExecStartPre=/bin/sh \(check)\nExecStart=/bin/sleep infinity\n",
            app: "[Unit]\nRequires=\(db)\nAfter=\(db)\n[Service]\nExecStart=/bin/sleep infinity\n",
        ])
        // The shipped playbooks, with the root's verification made long enough (90 s) that the app is
        // still failed while status and explain are read, however loaded the machine.
        let shipped = PlaybookCheckTests.repository + "/Playbooks"
        var files: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: shipped) where file.hasSuffix(".yaml") {
            files[file] = try String(contentsOfFile: "\(shipped)/\(file)", encoding: .utf8)
        }
        files["restart-failed.yaml"] = try #require(files["restart-failed.yaml"])
            .replacingOccurrences(of: "healthy-for: 30s", with: "healthy-for: 90s").replacingOccurrences(of: "within: 2m", with: "within: 3m")
        let daemon = try self.daemon(sandbox, watching: [db, app], playbooks: try directory(sandbox, files))
        let monitor = try BusJobMonitor(sandbox)
        defer { monitor.stop() }
        // A person starts the app; its database fails, and systemd fails the app's start job with "dependency".
        try "\(UInt64(Date().timeIntervalSince1970 * 1e9))".write(toFile: stamp, atomically: true, encoding: .utf8)
        _ = try? sandbox.systemctl("start", app)
        let chain = await daemon.awaitLog("\(app): ", "-> failed: dependency \(db) failed: ExecStartPre=/bin/sh exit-code status=1")
        #expect(chain != nil, "\(daemon.log.all.joined(separator: "\n"))")
        // medic status learns it from the daemon's state file, written on its heartbeat.
        var status = ""
        let shown = try await eventually(10) {
            status = try MedicBinary.run(["status", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state", app], in: sandbox).standardOutput
            return status.contains("failed: dependency \(db) failed: ExecStartPre=/bin/sh exit-code status=1")
        }
        #expect(shown, "\(status)")
        #expect(await daemon.awaitLog("not correcting \(app)", "its dependency \(db)") != nil)
        let explain = try MedicBinary.run(["explain", "--bus-address", sandbox.busAddress, "--state-dir", sandbox.runtimeDirectory + "/state",
                                           "--playbooks", PlaybookCheckTests.repository + "/Playbooks", app], in: sandbox).standardOutput
        #expect(explain.contains("\(app): failed: dependency \(db) failed: ExecStartPre=/bin/sh exit-code status=1"), "\(explain)")
        // Both explain's own decision and the daemon's: the root first (being corrected, or about to be).
        #expect(explain.components(separatedBy: "its dependency \(db)").count == 3, "\(explain)")
        #expect(!explain.contains("would act"), "\(explain)")
        let done = await daemon.awaitLog("correction #", "of \(db) with restart-failed:", timeout: 150)
        #expect(done?.contains("recovered") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(done?.contains("then started what had failed because of it: \(app)") == true)
        #expect(try show("ActiveState", app, in: sandbox) == "active")
        #expect(daemon.stop() == 0)
        // One correction, recorded against the root, with the dependent's start as its step.
        let store = try MedicStore(path: sandbox.runtimeDirectory + "/state/medic.db")
        let ofApp = try await store.corrections(unit: app)
        #expect(ofApp.isEmpty, "\(ofApp.map { "\($0.intent.playbook): \($0.state)" }) \(daemon.log.all.joined(separator: "\n"))")
        let root = try #require(try await store.corrections(unit: db).first)
        #expect(try await store.steps(of: root.id).map(\.action) == ["restart", "start \(app)"])
        // Medic never restarted the app itself: its only job from Medic is the start after the root recovered.
        #expect(monitor.calls(on: app).map(\.member) == ["StartUnit"], "\(monitor.calls(on: app))")
    }

    @Test("an out-of-memory kill that systemd reports as SIGKILL (memory controller on cgroup v1) is recognised, and the memory playbook raises the limit until it fits",
          .enabled(if: FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
                   "needs the memory controller on cgroup v1; on cgroup v2 systemd reports oom-kill itself"))
    func outOfMemoryOnCgroupV1() async throws {
        let name = uniqueUnit("hungry")
        let cgroups = "/sys/fs/cgroup/memory/\(name)"
        // Removed once the sandbox is gone (a cgroup with processes in it cannot be removed).
        defer { removeCgroups(under: cgroups) }
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        // The user manager cannot apply MemoryMax on cgroup v1: the service applies its own MemoryMax to a
        // v1 memory cgroup, as the system manager would, and needs about 60 MB.
        let errors = sandbox.runtimeDirectory + "/\(name).err"
        let script = "exec 2>>\(errors); limit=$(systemctl --user show -P MemoryMax \(name)); mkdir -p \(cgroups)/$$ && echo $limit > \(cgroups)/$$/memory.limit_in_bytes && echo $$ > \(cgroups)/$$/cgroup.procs && exec python3 -c 'import time; x = bytearray(48 << 20); time.sleep(1e9)'"
        try sandbox.install(units: [name: "[Service]\nEnvironment=XDG_RUNTIME_DIR=\(sandbox.runtimeDirectory)\nMemoryMax=40M\nExecStart=/bin/sh -c \"\(script.replacingOccurrences(of: "$", with: "$$"))\"\n"])
        _ = try? sandbox.systemctl("start", name)
        #expect(await eventually(20) { (try? show("ActiveState", name, in: sandbox)) == "failed" })
        #expect(try show("Result", name, in: sandbox) == "signal", "systemd itself does not see the out-of-memory kill here; \((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        let daemon = try self.daemon(sandbox, watching: [name], extra: ["--drain-timeout", "1s"])
        let started = await daemon.awaitLog("correcting \(name) with raise-memory-after-oom")
        #expect(started?.contains("out of memory: the kernel killed the main process") == true, "\(daemon.log.all.joined(separator: "\n"))")
        #expect(await eventually(30) { (try? show("ActiveState", name, in: sandbox)) == "active" })
        #expect(try show("MemoryMax", name, in: sandbox) == "\(60 << 20)")
        #expect(daemon.stop() == 0)
    }

    func removeCgroups(under top: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? [] { rmdir("\(top)/\(entry)") }
        rmdir(top)
    }

    /// The time stamp at the start of a daemon log line ("2026-11-29T20:41:00+0000 notice ...").
    func logTime(_ line: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssZ"
        return formatter.date(from: String(line.prefix { $0 != " " }))?.timeIntervalSince1970
    }
}
