import ArgumentParser
import Foundation
import Logging
import MedicCore
import MedicEngine
import SystemdJournal

/// `medic demo`: creates a few deliberately unhealthy units and shows Medic's status and watch on them.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create demo units (one per health class), then show status and watch them.",
        discussion: "Uses the running systemd; where none runs (or with --sandbox) starts a real systemd --user in a private mount namespace, which needs root. Everything created is removed at the end or on Ctrl-C."
    )

    @Option(help: "Seconds to watch before cleaning up.")
    var duration: Double = 15

    @Flag(help: "Use the bundled sandbox even if systemd is running.")
    var sandbox = false

    func run() async throws {
        let target: DemoTarget
        do {
            target = try DemoTarget.choose(forceSandbox: sandbox)
        } catch {
            throw MedicFailure("cannot start the demo: \(error)")
        }
        defer { target.tearDown() }
        Output.line("Medic demo on \(target.label)")
        try target.installDemoUnits()

        let patterns = [try UnitPattern("\(DemoUnits.prefix)*"), try UnitPattern(DemoUnits.bogus)]
        let watcher = UnitWatcher(address: target.address, patterns: patterns, logger: Logger(label: "medic.demo"))
        let duration = self.duration
        Output.line("\nWatching for \(Int(duration)) s; the demo kills \(DemoUnits.web) with SIGKILL after 3 s. Ctrl-C ends it early.\n")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await watcher.run { event in WatchCommand.report(event, json: false, address: target.address) }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(min(3, duration)))
                if let pid = target.mainPID(of: DemoUnits.web) {
                    Output.line("-- demo: kill -9 \(pid) (main process of \(DemoUnits.web))")
                    kill(pid, SIGKILL)
                }
                try? await Task.sleep(for: .seconds(max(0, duration - 3)))
            }
            group.addTask { await Interrupt.wait() }
            // Whichever ends first (the time is up, or Ctrl-C) ends the demo.
            _ = await group.next()
            group.cancelAll()
        }
        Output.line("\nFinal status:\n")
        let units = try await StatusReader(address: target.address, patterns: patterns).read()
        for line in StatusTable.lines(units) { Output.line(line) }
        Output.line("")
        Output.line(SummaryReport(HealthSummary(units)).text)
        let crash = "medic-demo-crash.service"
        Output.line("\nLast journal lines of \(crash) (medic logs \(crash)):\n")
        do {
            for entry in try JournalReader.lastEntries(of: crash, count: 5, directory: target.journalDirectory) {
                Output.line("\(Timestamp.rfc3339(micros: entry.timeMicros)) \(entry.identifier)[\(entry.pid)]: \(entry.message)")
            }
        } catch {
            Output.line("(\(error))")
        }
    }
}
