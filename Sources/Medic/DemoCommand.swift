import ArgumentParser
import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicReports
import MedicEngine
import MedicStore
import SystemdJournal

/// `medic demo`: creates a few deliberately unhealthy units and runs Medic's supervisor on them: live
/// transitions, recorded history, and their error budgets over a one-minute SLO.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create demo units (one per health class) and run the supervisor on them: transitions, status, SLOs.",
        discussion: "Uses the running systemd; where none runs (or with --sandbox) starts a real systemd --user in a private mount namespace, which needs root. Everything created is removed at the end or on Ctrl-C."
    )

    @Option(name: .customLong("duration"), help: ArgumentHelp("How long to watch before cleaning up: a duration (30s, 2m) or seconds.", valueName: "duration"))
    var durationText = "15s"

    func validate() throws {
        guard parsedDuration != nil else { throw ValidationError("--duration: expected a duration such as 30s or 2m, got '\(durationText)'") }
        if sandbox && busAddress != nil { throw ValidationError("--sandbox and --bus-address exclude each other") }
    }

    /// Seconds: a duration as every other option takes it, or a bare number of seconds as before.
    private var parsedDuration: Double? {
        let value = DurationText.parse(durationText) ?? Double(durationText)
        guard let value, value.isFinite, value > 0 else { return nil }
        return value
    }

    @Flag(help: "Use the bundled sandbox even if systemd is running.")
    var sandbox = false

    @Option(name: .customLong("bus-address"), help: ArgumentHelp("Run on the manager at this D-Bus address (transient units only), e.g. unix:path=/run/user/1000/systemd/private.", valueName: "address"))
    var busAddress: String?

    func run() async throws {
        let target: DemoTarget
        do {
            target = try DemoTarget.choose(busAddress: busAddress, forceSandbox: sandbox)
        } catch {
            throw MedicFailure("cannot start the demo: \(error)")
        }
        do {
            try await demo(on: target)
        } catch {
            await target.tearDown()
            throw error
        }
        await target.tearDown()
    }

    /// Everything between creating the target and removing what the demo made.
    private func demo(on target: DemoTarget) async throws {
        Output.line("Medic demo on \(target.label)")
        try await target.installDemoUnits()

        // The unit with a bad setting exists in the sandbox only; it is named so that it is loaded.
        let patterns = [try UnitPattern("\(DemoUnits.prefix)*")] + (target.sandbox != nil ? [try UnitPattern(DemoUnits.bogus)] : [])
        // A one-minute SLO so that budgets move within the demo.
        let configuration = MedicConfiguration(watch: patterns, slo: SLOPolicy(defaultSpec: SLOSpec(objective: 0.95, window: 60, rules: [
            BurnRateRule(severity: .page, longWindow: 20, shortWindow: 5, threshold: 2),
            BurnRateRule(severity: .ticket, longWindow: 60, shortWindow: 20, threshold: 1),
        ])))
        let stateDirectory = NSTemporaryDirectory() + "medic-demo-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
        let store = try MedicStore(path: stateDirectory + "/medic.db")
        var logger = Logger(label: "medic.demo")
        logger.logLevel = .notice
        var supervisor = SupervisorService(address: target.address, store: store, configuration: LiveConfiguration(configuration), logger: logger)
        let address = target.address
        supervisor.onEvent = { event in WatchCommand.report(event, json: false, address: address) }
        let running = supervisor
        let duration = parsedDuration ?? 15
        Output.line("\nRunning the supervisor (as `medic run` does) for \(Int(duration)) s with a 95 % SLO over 1 min;")
        Output.line("the demo kills \(DemoUnits.web) with SIGKILL after 3 s. Ctrl-C ends it early.\n")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await running.run() } catch { Output.error("\(error)") }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(min(3, duration)))
                if let pid = await target.mainPID(of: DemoUnits.web) {
                    Output.line("-- demo: kill -9 \(pid) (main process of \(DemoUnits.web))")
                    kill(pid, SIGKILL)
                }
                try? await Task.sleep(for: .seconds(max(0, duration - 3)))
            }
            group.addTask { await Interrupt.wait() }
            // Whichever ends first (the time is up, or Ctrl-C) ends the demo; the supervisor then
            // writes what is pending and closes its session.
            _ = await group.next()
            group.cancelAll()
        }
        if !Task.isCancelled { try await healingPart(target, stateDirectory: stateDirectory, store: store) }
        Output.line("\nFinal status:\n")
        let units = try await StatusReader(address: target.address, patterns: patterns).read()
        for line in StatusTable.lines(units, now: Date().timeIntervalSince1970) { Output.line(line) }
        Output.line("")
        Output.line(SummaryReport(HealthSummary(units)).text)
        Output.line("\nError budgets from the recorded history (medic slo):\n")
        let now = Date().timeIntervalSince1970
        let knownUntil = SLOQuery.knownUntil(try await store.lastSession(), now: now, heartbeat: 2)
        let reports = try await SLOQuery(store: store, configuration: configuration).reports(now: now, knownUntil: knownUntil)
        for line in SLOTable.lines(reports) { Output.line(line) }
        let crash = DemoUnits.crash
        Output.line("\nLast journal lines of \(crash) (medic logs \(crash)):\n")
        do {
            for entry in try JournalReader.lastEntries(of: crash, count: 5, directory: target.journalDirectory) {
                Output.line("\(Timestamp.rfc3339(micros: entry.timeMicros)) \(entry.identifier)[\(entry.pid)]: \(entry.message)")
            }
        } catch {
            Output.line("(\(error))")
        }
    }

    /// Heals the killed web service (dry-run first), then shows a fix that does not help being rolled back.
    private func healingPart(_ target: DemoTarget, stateDirectory: String, store: MedicStore) async throws {
        let directory = stateDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in DemoUnits.playbooks { try (text + "\n").write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        let set = PlaybookLoader.load(paths: [directory], trustedOwner: geteuid())
        guard set.isValid else { throw MedicFailure("demo playbooks: \(set.problems.map(\.description).joined(separator: "; "))") }
        let web = try UnitPattern(DemoUnits.web), crash = try UnitPattern(DemoUnits.crash)
        Output.line("\n-- medic heal --dry-run \(web.text)\n")
        _ = try? await Healing.heal(web, playbooks: set.playbooks, address: target.address, dryRun: true, store: store, journal: JournalLines(directory: target.journalDirectory))
        Output.line("\n-- medic heal \(web.text)\n")
        _ = try? await Healing.heal(web, playbooks: set.playbooks, address: target.address, dryRun: false, store: store, journal: JournalLines(directory: target.journalDirectory))
        Output.line("\n-- medic heal \(crash.text) (a fix that does not help, rolled back)\n")
        _ = try? await Healing.heal(crash, playbooks: set.playbooks, address: target.address, dryRun: false, store: store, journal: JournalLines(directory: target.journalDirectory))
    }
}
