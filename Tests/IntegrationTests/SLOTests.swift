import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic run` records real units' history and `medic slo` reports figures that match systemd's own
/// timestamps, across a restart of the daemon.
@Suite("medic run and medic slo on a real systemd")
struct SLOTests {
    /// Within 1 % of `expected`, or 20 ms for tiny values.
    func close(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= max(0.01 * abs(expected), 0.02)
    }

    @Test("bad time, budget and burn rates match known failures; a restart accounts the gap from StateChangeTimestamp or as unknown")
    func figuresAcrossRestart() throws {
        try withSandbox { sandbox in
            let flaky = uniqueUnit("slo-flaky"), steady = uniqueUnit("slo-steady"), doomed = uniqueUnit("slo-doomed")
            for unit in [flaky, steady, doomed] { try sandbox.runService(unit, ["/bin/sleep", "infinity"]) }
            let config = sandbox.runtimeDirectory + "/medic.yaml"
            let state = sandbox.runtimeDirectory + "/state"
            try """
                watch: [\(flaky), \(steady), \(doomed)]
                slo:
                  objective: 90
                  window: 60s
                  burn-rate-alerts:
                    - {severity: page, long: 20s, short: 5s, threshold: 2}
                    - {severity: ticket, long: 60s, short: 20s, threshold: 1}
                """.write(toFile: config, atomically: true, encoding: .utf8)

            // First run: the flaky unit is down for about 3 s.
            var daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: state)
            usleep(500_000)
            kill(try sandbox.mainPID(of: flaky), SIGKILL)
            try #require(daemon.waitForLog(flaky, "-> failed") != nil)
            let failedAt = try sandbox.timestamp("StateChangeTimestamp", of: flaky)
            usleep(3_000_000)
            try #require(try sandbox.systemctl("start", flaky).succeeded)
            let recoveredAt = try sandbox.timestamp("ActiveEnterTimestamp", of: flaky)
            try #require(daemon.waitForLog(flaky, "-> healthy") != nil)
            usleep(500_000)
            // Readers work while the daemon writes (WAL); status gains the SLO columns.
            let live = try SLODocument.read(config: config, stateDirectory: state)
            #expect(live.unit(flaky)?.state != nil)
            let status = try MedicBinary.run(["status", "--json", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state, flaky], in: sandbox)
            let statusDocument = try JSONDecoder().decode(StatusDocument.self, from: Data(status.standardOutput.utf8))
            #expect(statusDocument.unit(flaky)?.slo?.remainingPercent ?? 100 < 100)
            #expect(daemon.log.all.allSatisfy { !$0.contains("locked") && !$0.contains("cannot write") })
            #expect(daemon.stop() == 0)

            let first = try SLODocument.read(config: config, stateDirectory: state)
            let report = try #require(first.unit(flaky))
            let downtime = recoveredAt - failedAt
            #expect(close(report.badSeconds, downtime), "bad \(report.badSeconds) vs systemd's \(downtime)")
            #expect(close(report.consumedSeconds, downtime))
            #expect(close(report.budgetSeconds, 6))
            #expect(close(report.remainingSeconds, 6 - downtime))
            let counted = report.goodSeconds + report.badSeconds
            #expect(close(try #require(report.sli), report.goodSeconds / counted))
            #expect(close(try #require(report.burnRates["1m"] ?? nil), report.badSeconds / counted / 0.1))
            #expect((report.burnRateCoverage["1m"] ?? 0) > 0)
            #expect(!report.windowFilled)
            // Time after the daemon stopped is unknown for every unit alike: the steady unit shows how much.
            let tail = try #require(first.unit(steady)?.unknownSeconds)
            #expect(tail < 0.5)
            #expect(close(report.unknownSeconds, tail))
            #expect(first.unit(steady)?.badSeconds == 0)
            #expect(first.unit(steady)?.sli == 1)

            // While Medic is down: the flaky unit fails and comes back, the doomed one fails for good,
            // the steady one does not change.
            let stoppedAt = first.knownUntilSeconds
            kill(try sandbox.mainPID(of: flaky), SIGKILL)
            kill(try sandbox.mainPID(of: doomed), SIGKILL)
            usleep(1_000_000)
            try #require(try sandbox.systemctl("start", flaky).succeeded)
            let flakyBackAt = try sandbox.timestamp("ActiveEnterTimestamp", of: flaky)
            let doomedAt = try sandbox.timestamp("StateChangeTimestamp", of: doomed)
            usleep(500_000)

            daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: state)
            usleep(1_000_000)
            #expect(daemon.stop() == 0)
            let second = try SLODocument.read(config: config, stateDirectory: state)
            let end = second.knownUntilSeconds

            let steadyReport = try #require(second.unit(steady))
            #expect(steadyReport.unknownSeconds < 0.5, "an unchanged unit's downtime (over 1.5 s) is vouched for by systemd")
            #expect(steadyReport.badSeconds == 0)

            let flakyReport = try #require(second.unit(flaky))
            #expect(close(flakyReport.unknownSeconds - steadyReport.unknownSeconds, flakyBackAt - stoppedAt), "unknown \(flakyReport.unknownSeconds) vs \(flakyBackAt - stoppedAt)")
            #expect(close(flakyReport.badSeconds, downtime), "the failure while Medic was down is unknown, not good or bad")

            let doomedReport = try #require(second.unit(doomed))
            #expect(close(doomedReport.unknownSeconds - steadyReport.unknownSeconds, doomedAt - stoppedAt))
            #expect(close(doomedReport.badSeconds, end - doomedAt), "bad \(doomedReport.badSeconds) vs \(end - doomedAt)")
            #expect(doomedReport.state == "exhausted" || doomedReport.state == "breached")
            #expect(second.exitStatus == 3)
        }
    }

    @Test("medic slo without history and with a broken configuration says so")
    func errors() throws {
        let directory = NSTemporaryDirectory() + "medic-slo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/medic.yaml"
        try "slo:\n  objective: 150\n".write(toFile: config, atomically: true, encoding: .utf8)
        let broken = try MedicBinary.run(["slo", "--config", config, "--state-dir", directory])
        #expect(broken.status == 1)
        #expect(broken.standardError.contains("medic: invalid configuration: \(config):2:14: slo.objective: must be a percentage between 0 and 100"))
        try "".write(toFile: config, atomically: true, encoding: .utf8)
        let empty = try MedicBinary.run(["slo", "--config", config, "--state-dir", directory])
        #expect(empty.status == 1)
        #expect(empty.standardError.contains("no history at \(directory)/medic.db: start `medic run` first"))
        let daemon = try MedicBinary.run(["run", "--config", config + ".missing", "--state-dir", directory])
        #expect(daemon.status == 1)
        #expect(daemon.standardError.contains("no such file"))
    }
}
