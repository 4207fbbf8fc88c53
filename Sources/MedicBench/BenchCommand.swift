import ArgumentParser
import Foundation
import MedicConfig
import SystemdBus
import SystemdSandbox

/// `medic-bench`: Medic's performance on a real, sandboxed systemd, printed as a table and written
/// as JSON. It reports figures; it asserts nothing.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medic-bench",
        abstract: "Measure detection latency, CPU per event, memory, start-up and SLO queries on a sandboxed systemd (needs root)."
    )

    @Option(name: .customLong("units"), help: "Loaded unit counts to measure detection, start-up and memory at.")
    var counts: [Int] = [100, 1000, 3000]

    @Option(name: .customLong("kills"), help: "kill -9 per unit count.")
    var kills = 50

    @Option(name: .customLong("flapping"), help: "Services crashing and restarted by systemd for the CPU-per-event run.")
    var flapping = 200

    @Option(name: .customLong("flap-seconds"), help: "How long the CPU-per-event run measures.")
    var flapSeconds = 20.0

    @Option(name: .customLong("slo-units"), help: "Units in the synthetic 30-day store.")
    var sloUnits = 3000

    @Option(name: .customLong("output"), help: "Where the JSON goes.")
    var output = "medic-bench.json"

    @Option(name: .customLong("medic"), help: "The medic binary (default: the one built beside medic-bench).")
    var medic: String?

    @Option(name: .customLong("fuzz"), help: "Instead of the benchmark, run this many seeded fuzz cases of medic.yaml and playbooks and report time and peak memory per case.")
    var fuzzCases: Int?

    @Option(name: .customLong("fuzz-seed"), help: "The fuzz run's seed (the test suite uses 20261129).")
    var fuzzSeed: UInt64 = 20_261_129

    @Flag(name: .customLong("faults"), help: "Instead of the benchmark, run the realistic fault suite (shipped playbooks, default configuration), then the same faults in dry-run.")
    var faultSuite = false

    @Flag(name: .customLong("render-only"), help: "Measure only the in-process cost of rendering /metrics at each unit count (no systemd needed).")
    var renderOnly = false

    @Flag(name: .customLong("scrape-only"), help: "Measure only the cost of a Prometheus scrape of medic run at each unit count.")
    var scrapeOnly = false

    @Flag(name: .customLong("dashboard-only"), help: "Measure only the dashboard's response times and the HTTP server's idle memory at each unit count.")
    var dashboardOnly = false

    @Flag(name: .customLong("startup-only"), help: "Measure only start-up to READY and memory of medic run at each unit count.")
    var startupOnly = false

    @Option(name: .customLong("slo-only"), help: ArgumentHelp("Measure only medic slo --json over a 30-day store, filled in this directory (kept, for profiling).", valueName: "dir"))
    var sloOnlyDirectory: String?

    @Option(name: .customLong("soak-minutes"), help: ArgumentHelp("Instead of the benchmark, soak medic run this long over the flapping units: memory growth after the fifth minute, store growth per day.", valueName: "minutes"))
    var soakMinutes: Double?

    @Flag(name: .customLong("detection-only"), help: "Measure only detection latency (Medic, busctl monitor, a 1 s poller) at each unit count.")
    var detectionOnly = false

    @Flag(name: .customLong("probe-only"), help: "Measure only what active probes cost: medic run's CPU over running units without and with an HTTP probe of each every 10 s.")
    var probeOnly = false

    @Option(name: .customLong("probe-units"), help: "Units probed in the probe cost run.")
    var probeUnits = 1000

    @Flag(name: .customLong("flap-only"), help: "Measure only CPU per event (flapping units), with the raw sd-bus reader beside Medic.")
    var flapOnly = false

    @Option(name: .customLong("screenshots"), help: ArgumentHelp("Instead of the benchmark, write README's dashboard screenshots (board.png, unit.png) into this directory.", valueName: "dir"))
    var screenshots: String?

    @Option(name: .customLong("playbooks"), help: "The playbooks for --faults (default: the repository's Playbooks).")
    var playbooks: String?

    @Option(name: .customLong("raw-reader"), help: ArgumentHelp("Run only the raw sd-bus reader (CPU per event's floor) on this bus address until killed.", visibility: .hidden))
    var rawReaderAddress: String?

    struct Report: Encodable {
        var machine: [String: String]
        var detection: [DetectionBench.Result] = []
        var startup: [StartupFigures] = []
        var scrape: [ScrapeBench.Result] = []
        var dashboard: [DashboardBench.Result] = []
        var flapping: FlapBench.Result?
        var sloQuery: SLOQueryBench.Result?
        var correction: CorrectionBench.Result?
        var soak: SoakBench.Result?
        var probes: ProbeBench.Result?
    }

    struct StartupFigures: Encodable {
        var units: Int
        /// The reference: one ListUnitsByPatterns call for the same pattern, median of five.
        var listUnitsSeconds: Double
        var secondsToReady: Double
        /// Until every unit's details are read (the picture is complete).
        var secondsToDetails: Double?
        var residentMiB: Double?
        var anonymousMiB: Double?
        /// The daemon's cgroup memory as the kernel charges it (systemd's MemoryCurrent).
        var memoryCurrentMiB: Double?
        /// `medic status --json` for the same pattern, wall seconds, median of three.
        var statusSeconds: Double
        /// CPU seconds the manager (systemd) spent from spawn until all details were read, and Medic's own.
        var managerCPUForDetails: Double?
        var medicCPUForDetails: Double?
        /// CPU seconds the manager spent per `medic status` (answering its GetAll calls).
        var managerCPUPerStatus: Double?
    }

    func run() async throws {
        if let rawReaderAddress { throw ExitCode(RawReader.run(address: rawReaderAddress)) }
        if let fuzzCases {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let fuzz = try FuzzBench(cases: fuzzCases, seed: fuzzSeed, playbookDirectory: root.appendingPathComponent("Playbooks").path).run()
            say(String(format: "fuzz: %d cases (seed %llu): 0 crashes, %d over 5 s; slowest %.3f s (%@), p99 %.3f s; peak memory %.1f MiB (%@); %d refusals, %d accepted",
                       fuzz.cases, fuzz.seed, fuzz.hangsOver5s, fuzz.slowestSeconds, fuzz.slowestKind, fuzz.p99Seconds, fuzz.peakMiB, fuzz.peakKind, fuzz.refused, fuzz.accepted))
            say("time by kind: " + fuzz.secondsByKind.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f s", $0.key, $0.value) }.joined(separator: ", "))
            return
        }
        if renderOnly {
            for count in counts {
                let (milliseconds, bytes) = await RenderBench.run(units: count)
                say(String(format: "rendering /metrics for %d units in process: %.1f ms, %.0f KiB", count, milliseconds, Double(bytes) / 1024))
            }
            return
        }
        let bench = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let beside = URL(fileURLWithPath: bench).deletingLastPathComponent().appendingPathComponent("medic").path
        let binary = medic ?? beside
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no medic binary at \(binary): build it first (swift build -c release)")
        }
        if let screenshots {
            try await Screenshots(binary: binary, directory: screenshots).run()
            return
        }
        if faultSuite {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let shipped = playbooks ?? root.appendingPathComponent("Playbooks").path
            say("machine: \(Self.machine().sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))")
            var results: [FaultSuite.Result] = []
            for dryRun in [false, true] {
                let log = output + (dryRun ? ".dry-run.log" : ".log")
                let result = try await FaultSuite(binary: binary, playbooks: shipped, dryRun: dryRun, window: dryRun ? 60 : 150, keepLog: log).run()
                results.append(result)
                say("")
                for line in FaultSuite.table(result) { say(line) }
            }
            try write(results)
            return
        }
        if let sloOnlyDirectory {
            let slo = try await SLOQueryBench(binary: binary, directory: sloOnlyDirectory, units: sloUnits, days: 30, failureEvery: 6 * 3600).run()
            say(slo.summary)
            return
        }
        var report = Report(machine: Self.machine())
        say("machine: \(report.machine.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))")
        let sandbox = try SystemdSandbox.start(name: "medic-bench")
        defer { sandbox.stop() }
        let bus = try BusConnection.open(.address(sandbox.busAddress), description: "medic-bench")
        defer { bus.close() }
        let units = TransientUnits(bus: bus)

        if let soakMinutes {
            // The store keeps at least the longest SLO window (30 days by default).
            let retention = MedicConfiguration().retention
            let soak = try await SoakBench(sandbox: sandbox, bus: bus, binary: binary, units: flapping, minutes: soakMinutes, retentionSeconds: retention).run { sample in
                say(String(format: "soak minute %.1f: RSS %@ MiB (anonymous %@), cgroup memory %@ MiB, store %.1f MiB", sample.minute,
                           f1(sample.residentMiB), f1(sample.anonymousMiB), f1(sample.memoryCurrentMiB), sample.storeMiB))
            }
            report.soak = soak
            say("")
            for line in Self.table(report) { say(line) }
            try write(report)
            return
        }
        if probeOnly {
            report.probes = try await probeCost(binary: binary, sandbox: sandbox, units: units)
            say("")
            for line in Self.table(report) { say(line) }
            try write(report)
            return
        }
        for count in flapOnly ? [] : counts {
            let names = (0..<count).map { "lat\(count)-\($0).service" }
            let created = Date()
            try await units.create(names, command: ["/bin/sleep", "infinity"])
            try await units.waitForNoJobs()
            say("\(count) units created and started in \(String(format: "%.1f", Date().timeIntervalSince(created))) s")
            if !scrapeOnly && !startupOnly && !detectionOnly {
                let dashboard = try await DashboardBench(binary: binary, sandbox: sandbox, pattern: "lat\(count)-*.service", sampleUnit: names[0], units: count).run()
                report.dashboard.append(dashboard)
                for endpoint in dashboard.endpoints {
                    say(String(format: "dashboard at %d units: GET %@ (%.0f KiB): wall %@; %.1f ms of medic's CPU", count, endpoint.path, endpoint.bodyKiB, endpoint.wall.text, endpoint.cpuMillisecondsPerRequest))
                }
                say("dashboard at \(count) units: RSS without the server \(f1(dashboard.residentWithoutServerMiB)) MiB, with it idle \(f1(dashboard.residentWithServerIdleMiB)) MiB, after the requests \(f1(dashboard.residentAfterRequestsMiB)) MiB, after as many again \(f1(dashboard.residentAfterSecondRoundMiB)) MiB")
                if dashboardOnly {
                    await units.stop(names)
                    _ = try? sandbox.systemctl("reset-failed")
                    continue
                }
            }
            if !startupOnly && !detectionOnly {
                let scrape = try await ScrapeBench(binary: binary, sandbox: sandbox, pattern: "lat\(count)-*.service", units: count).run()
                report.scrape.append(scrape)
                say(String(format: "scrape of /metrics at %d units (%d series, %.0f KiB): %.1f ms of medic's CPU per scrape; wall %@",
                           count, scrape.series, scrape.bodyKiB, scrape.cpuMillisecondsPerScrape, scrape.wall.text))
            }
            if scrapeOnly {
                await units.stop(names)
                _ = try? sandbox.systemctl("reset-failed")
                continue
            }
            if !detectionOnly {
                let startup = try await Self.startup(binary: binary, sandbox: sandbox, bus: bus, count: count)
                report.startup.append(startup)
                say("medic run at \(count) units: READY after \(f3(startup.secondsToReady)) s (ListUnits \(f3(startup.listUnitsSeconds)) s), all details after \(startup.secondsToDetails.map(f3) ?? "-") s (CPU: systemd \(f1(startup.managerCPUForDetails)) s, medic \(f1(startup.medicCPUForDetails)) s); RSS \(f1(startup.residentMiB)) MiB, of it anonymous \(f1(startup.anonymousMiB)) MiB; cgroup memory \(f1(startup.memoryCurrentMiB)) MiB; medic status \(f3(startup.statusSeconds)) s (systemd's CPU \(f1(startup.managerCPUPerStatus)) s)")
            }
            if startupOnly {
                await units.stop(names)
                _ = try? sandbox.systemctl("reset-failed")
                continue
            }
            let detection = try await DetectionBench(sandbox: sandbox, bus: bus, kills: kills).run(names: names, pattern: "lat\(count)-*.service")
            report.detection.append(detection)
            say("detection at \(count) units: medic \(detection.medic.text); busctl monitor \(detection.busMonitor.text); 1 s poller \(detection.poller.text)")
            await units.stop(names)
            _ = try? sandbox.systemctl("reset-failed")
        }

        if scrapeOnly || dashboardOnly || startupOnly || detectionOnly {
            say("")
            for line in Self.table(report) { say(line) }
            try write(report)
            return
        }
        let flap = try await FlapBench(sandbox: sandbox, bus: bus, binary: binary, benchBinary: bench, units: flapping, seconds: flapSeconds).run()
        report.flapping = flap
        say(String(format: "flapping: %d units, %.0f signals/s, %.0f stored changes/s; medic %.1f%% CPU, %.1f µs per signal, %.1f µs per stored change; raw sd-bus reader %.1f µs per signal (medic %.2f×)",
                     flap.units, flap.signalsPerSecond, flap.storedChangesPerSecond, flap.medicCPUPercent, flap.microsecondsPerSignal, flap.microsecondsPerStoredChange,
                     flap.rawReaderMicrosecondsPerSignal, flap.medicToRawRatio))
        _ = try? sandbox.systemctl("reset-failed")
        if flapOnly {
            say("")
            for line in Self.table(report) { say(line) }
            try write(report)
            return
        }

        report.probes = try await probeCost(binary: binary, sandbox: sandbox, units: units)

        let correction = try await CorrectionBench(sandbox: sandbox, bus: bus, binary: binary, kills: 10).run()
        report.correction = correction
        say("correction: trigger -> job \(correction.triggerToJob.text); failure -> active \(correction.failureToActive.text); failure -> verified (incl. 1 s healthy-for) \(correction.failureToVerified.text)")

        let slo = try await SLOQueryBench(binary: binary, directory: sandbox.runtimeDirectory + "/bench-slo", units: sloUnits, days: 30, failureEvery: 6 * 3600).run()
        report.sloQuery = slo
        say(slo.summary)

        say("")
        for line in Self.table(report) { say(line) }
        try write(report)
    }

    private func probeCost(binary: String, sandbox: SystemdSandbox, units: TransientUnits) async throws -> ProbeBench.Result {
        let probes = try await ProbeBench(sandbox: sandbox, units: units, binary: binary, count: probeUnits, seconds: 60).run()
        say(String(format: "probes: %d units, an HTTP probe each every %.0f s (%.0f probes/s, %d passing): medic %.2f%% of one core, %.2f%% watching only, %.2f%% for the probes",
                   probes.units, probes.intervalSeconds, probes.probesPerSecond, probes.passing, probes.probingCPUPercent, probes.watchingCPUPercent, probes.probeCPUPercent))
        say("probes: every endpoint answering 503 -> the unit's probe failing: \(probes.toFailing.text) of \(probes.units) units (bound: \(probes.failureThreshold) × \(Int(probes.intervalSeconds)) s)")
        return probes
    }

    private func f1(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
    private func f3(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Writes the figures as JSON to `output`.
    func write(_ figures: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(figures).write(to: URL(fileURLWithPath: output))
        say("\nwrote \(output)")
    }

    static func machine() -> [String: String] {
        var info: [String: String] = ["cores": "\(ProcessInfo.processInfo.activeProcessorCount)",
                                      "memoryGiB": String(format: "%.0f", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)]
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            info["cpu"] = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let version = try? Command.run(["systemctl", "--version"]).standardOutput.split(separator: "\n").first { info["systemd"] = String(version) }
        info["kernel"] = (try? Command.run(["uname", "-r"]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
        return info
    }

    /// The figures next to the product's targets.
    static func table(_ r: Report) -> [String] {
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var lines = ["| measure | figure | target |", "|---|---|---|"]
        for d in r.detection {
            lines.append("| detection p50 / p99 at \(d.units) units: medic | \(f(d.medic.p50)) / \(f(d.medic.p99)) ms | p50 ≤ 1.2× bus monitor, p99 ≤ 20 ms and ≤ 1.2× bus monitor |")
            lines.append("| ... busctl monitor | \(f(d.busMonitor.p50)) / \(f(d.busMonitor.p99)) ms (medic p50 = \(f(d.p50Ratio, 2))×) | |")
            lines.append("| ... 1 s systemctl is-active poller | \(f(d.poller.p50)) / \(f(d.poller.p99)) ms | |")
            lines.append("| watcher's list and every unit's details, \(d.units) units (in process) | \(f(d.snapshotSeconds, 3)) s | |")
        }
        if let flap = r.flapping {
            lines.append("| CPU per event (\(flap.units) flapping units, \(f(flap.signalsPerSecond, 0)) events/s) | \(f(flap.microsecondsPerSignal)) µs (\(f(flap.medicToRawRatio, 2))× the raw reader) | ≤ 60 µs and ≤ 1.5× the raw reader |")
            lines.append("| ... raw sd-bus reader (same libsystemd, match and properties; nothing else) | \(f(flap.rawReaderMicrosecondsPerSignal)) µs | |")
        }
        for s in r.startup {
            let large = s.units >= 10_000
            lines.append("| RSS (anonymous part) of medic run at \(s.units) units | \(f(s.residentMiB)) (\(f(s.anonymousMiB))) MiB | \(large ? "≤ 50 MB" : "≤ 30 MB at 3000") |")
            lines.append("| ... its cgroup's memory as the kernel charges it (MemoryCurrent) | \(f(s.memoryCurrentMiB)) MiB | |")
            lines.append("| start-up to READY at \(s.units) units | \(f(s.secondsToReady, 3)) s | \(large ? "≤ 1 s" : "≤ 0.5 s at 3000") |")
            lines.append("| ... one ListUnitsByPatterns call (reference) | \(f(s.listUnitsSeconds, 3)) s | |")
            lines.append("| ... until every unit's details are read (CPU: systemd / medic) | \(f(s.secondsToDetails, 3)) s (\(f(s.managerCPUForDetails, 2)) / \(f(s.medicCPUForDetails, 2)) s) | |")
            lines.append("| medic status --json at \(s.units) units (systemd's CPU answering it) | \(f(s.statusSeconds, 3)) s (\(f(s.managerCPUPerStatus, 2)) s) | \(large ? "≤ 1 s" : "") |")
        }
        for scrape in r.scrape {
            lines.append("| CPU per scrape of /metrics at \(scrape.units) units (\(scrape.series) series, \(f(scrape.bodyKiB, 0)) KiB) | \(f(scrape.cpuMillisecondsPerScrape)) ms (wall p50 \(f(scrape.wall.p50)) ms) | ≤ 20 ms at 3000 |")
        }
        for d in r.dashboard {
            for e in d.endpoints {
                let target = e.path == "/" ? "≤ 100 ms at 3000" : ""
                lines.append("| dashboard GET \(e.path) at \(d.units) units (\(f(e.bodyKiB, 0)) KiB) | wall p50 \(f(e.wall.p50)) / p99 \(f(e.wall.p99)) ms, \(f(e.cpuMillisecondsPerRequest)) ms CPU | \(target) |")
            }
            lines.append("| RSS of medic run at \(d.units) units: no server / server idle / after the requests / after as many again | \(f(d.residentWithoutServerMiB)) / \(f(d.residentWithServerIdleMiB)) / \(f(d.residentAfterRequestsMiB)) / \(f(d.residentAfterSecondRoundMiB)) MiB | |")
        }
        if let slo = r.sloQuery {
            lines.append("| medic slo over 30 days × \(slo.units) units | \(f(slo.medianSeconds, 3)) s (reading every change: \(f(slo.runsReadingEveryChange.sorted()[1], 3)) s) | ≤ 0.3 s |")
        }
        if let probes = r.probes {
            lines.append("| active probes: \(probes.units) units, HTTP every \(f(probes.intervalSeconds, 0)) s (\(f(probes.probesPerSecond, 0)) probes/s) | \(f(probes.probingCPUPercent, 2)) % of one core (\(f(probes.watchingCPUPercent, 2)) % watching only) | ≤ 5 % |")
            lines.append("| ... every endpoint answering 503 → the unit's probe failing, over \(probes.toFailing.count) of \(probes.units) units | p50 \(f((probes.toFailing.p50 ?? 0) / 1000, 1)) s, max \(f((probes.toFailing.max ?? 0) / 1000, 1)) s | ≤ \(probes.failureThreshold) × \(f(probes.intervalSeconds, 0)) s + 1 s |")
        }
        if let soak = r.soak {
            lines.append("| soak, \(f(soak.minutes, 0)) min × \(soak.units) flapping units: RSS (anonymous) growth after minute 5 | \(f(soak.residentGrowthMiB, 2)) (\(f(soak.anonymousGrowthMiB, 2))) MiB | ≤ 2 MB |")
            lines.append("| ... store growth per day at that rate; bound by retention | \(f(soak.storeMiBPerDay, 0)) MiB/day; \(f(soak.storeBoundGiB, 1)) GiB | |")
        }
        if let c = r.correction {
            lines.append("| trigger → first corrective job | p50 \(f(c.triggerToJob.p50)) ms, p99 \(f(c.triggerToJob.p99)) ms | ≤ 50 ms |")
            lines.append("| failure → verified healthy (restart, healthy-for 1 s) | p50 \(f(c.failureToVerified.p50, 0)) ms | |")
        }
        return lines
    }
}
