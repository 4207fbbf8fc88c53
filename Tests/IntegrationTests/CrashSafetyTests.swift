import Foundation
import MedicStore
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` killed with SIGKILL at random points during corrections, again and again: every step
/// that reached systemd is on record, none is issued twice, what was changed is put back, every
/// intent left open is closed soon after the next start, and the store stays sound.
@Suite("Crash safety")
struct CrashSafetyTests {
    static let kills = 200
    /// The loop ends after this many seconds even if fewer kills were done.
    static let budget: Double = 300

    @Test("200 kill -9 at random points during corrections")
    func killLoop() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let failing = [uniqueUnit("crashy-a"), uniqueUnit("crashy-b")], calm = uniqueUnit("calm")
        // Their start takes a moment (ExecStartPre=) and then fails at once: each correction spends a
        // while in its restart step, and can never be verified (it is never healthy for 1 s).
        var units = Dictionary(uniqueKeysWithValues: failing.map { ($0, "[Service]\nMemoryMax=256M\nExecStartPre=/bin/sleep 0.8\nExecStart=/bin/false\n") })
        units[calm] = "[Service]\nExecStart=/bin/sleep infinity\n"
        try sandbox.install(units: units)
        for unit in failing + [calm] { _ = try sandbox.systemctl("start", unit) }
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try """
            watch: [\((failing + [calm]).joined(separator: ", "))]
            corrections: {max-concurrent: 5, max-per-minute: 100, mass-failure-count: 10, mass-failure-percent: 100, mass-failure-settle: 100ms}
            learning: {enabled: false}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try """
            name: memory-then-restart
            trigger: failure
            steps:
              - set-property: {name: MemoryMax, value: 512M}
              - restart
            verify: {healthy-for: 1s, within: 1s}
            rollback: automatic
            guard: {cooldown: 100ms, max-attempts: 100, window: 1s, backoff: {initial: 100ms, max: 100ms}}
            """.write(toFile: playbooks + "/fix.yaml", atomically: true, encoding: .utf8)
        let state = sandbox.runtimeDirectory + "/state"
        let monitor = try BusJobMonitor(sandbox)
        var environment = sandbox.environment
        environment["MEDIC_LOG_LEVEL"] = "warning"
        let arguments = [MedicBinary.path, "run", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state, "--playbooks", playbooks]

        var seen: [Int64: String] = [:]  // correction id -> last state seen
        var kills = 0
        var recoveries: [Double] = []  // seconds from a restart to its closing an intent left open
        let started = Date()
        var random = SeededGenerator(state: 20261129)
        while kills < Self.kills && Date().timeIntervalSince(started) < Self.budget {
            let openAtSpawn = Set(seen.filter { $0.value == "open" }.keys)
            let spawnedAt = Date().timeIntervalSince1970
            let daemon = try ChildProcess.spawn(arguments, environment: environment, standardOutput: .null, standardError: .null)
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1500, using: &random)))
            daemon.signal(SIGKILL)
            _ = daemon.wait()
            kills += 1
            // No committed row is lost, and a closed correction never changes again.
            let store = try MedicStore(path: state + "/medic.db")
            let all = try await store.corrections(limit: 100_000)
            let now = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.state) })
            for correction in all where openAtSpawn.contains(correction.id) && !correction.isOpen {
                recoveries.append((correction.endedAt ?? .infinity) - spawnedAt)
            }
            for (id, previous) in seen {
                #expect(now[id] != nil, "correction #\(id) vanished")
                if previous != "open" { #expect(now[id] == previous, "correction #\(id) changed from \(previous) to \(now[id] ?? "nothing")") }
            }
            seen = now
        }
        #expect(kills >= 100, "only \(kills) kills in \(Int(Self.budget)) s")
        #expect(seen.count >= kills / 2, "too few corrections (\(seen.count)) for the kills to fall during corrections")
        // Every intent a kill left open was closed within 5 s by the start that found it (unless that
        // start was itself killed first).
        #expect(recoveries.count >= kills / 4, "only \(recoveries.count) intents were left open and closed by a later start")
        #expect((recoveries.max() ?? 0) <= 5, "slowest: \(recoveries.max() ?? 0) s")

        // The next start closes every intent left open within 5 s.
        let store = try MedicStore(path: state + "/medic.db")
        let leftOpen = Set(try await store.corrections(openOnly: true, limit: 100_000).map(\.id))
        let final = try DaemonProcess(in: sandbox, config: config, stateDirectory: state, arguments: ["--playbooks", playbooks, "--drain-timeout", "30s"])
        let restarted = Date()
        var stillOpen = leftOpen
        while !stillOpen.isEmpty && Date().timeIntervalSince(restarted) < 10 {
            stillOpen = leftOpen.intersection(try await store.corrections(openOnly: true, limit: 100_000).map(\.id))
            try await Task.sleep(for: .milliseconds(50))
        }
        let closedWithin = Date().timeIntervalSince(restarted)
        #expect(stillOpen.isEmpty && closedWithin <= 5, "\(stillOpen.count) of \(leftOpen.count) intents still open after \(closedWithin) s")
        #expect(final.stop() == 0)

        // Everything changed was put back, and everything is closed.
        let corrections = try await store.corrections(limit: 100_000)
        for unit in failing {
            let value = try sandbox.systemctl("show", "-P", "MemoryMax", unit).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let last = corrections.filter { $0.unit == unit }.max { $0.id < $1.id }
            var steps: [String] = []
            if let last {
                steps = try await store.steps(of: last.id).map { "\($0.action): \($0.outcome)\($0.error.map { " (\($0))" } ?? "")" }
            }
            #expect(value == "268435456", "\(unit): MemoryMax \(value); its last correction #\(last?.id ?? 0) \(last?.state ?? "-") (\(last?.verification ?? "")): \(steps)")
        }
        #expect(corrections.allSatisfy { !$0.isOpen })
        #expect(try await store.integrityCheck() == ["ok"])

        // Every call that reached systemd is on record, once: a row may lack its call only when Medic
        // was killed between writing it and issuing the call.
        var rows: [String: Int] = [:]
        for correction in corrections {
            for step in try await store.steps(of: correction.id) {
                let member = step.action == "restart" ? "RestartUnit" : (step.action == "set-property" || step.action.hasSuffix("MemoryMax") || step.action == "undo set-property") ? "SetUnitProperties" : nil
                if let member { rows[member, default: 0] += 1 }
            }
        }
        for member in ["SetUnitProperties", "RestartUnit"] {
            let calls = monitor.calls.filter { $0.member == member && failing.contains($0.unit) }.count
            #expect(calls <= rows[member, default: 0], "\(member): \(calls) calls on the bus, \(rows[member, default: 0]) on record")
            #expect(rows[member, default: 0] - calls <= kills, "\(member): \(calls) calls, \(rows[member, default: 0]) rows, \(kills) kills")
        }
        #expect(monitor.calls(on: calm).isEmpty)
        let interrupted = corrections.filter { $0.state == "interrupted" }.count
        let sorted = recoveries.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        print("crash loop: \(kills) kills in \(Int(Date().timeIntervalSince(started))) s, \(corrections.count) corrections (\(interrupted) interrupted), "
              + "\(recoveries.count) intents left open by a kill closed by the next start in \(String(format: "%.2f", median)) s median, \(String(format: "%.2f", sorted.last ?? 0)) s at most; "
              + "\(leftOpen.count) left open at the end closed within \(String(format: "%.2f", closedWithin)) s, "
              + "calls SetUnitProperties/RestartUnit \(monitor.calls.filter { $0.member == "SetUnitProperties" }.count)/\(monitor.calls.filter { $0.member == "RestartUnit" }.count)")
    }
}
