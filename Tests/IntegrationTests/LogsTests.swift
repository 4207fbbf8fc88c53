import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic logs` reading a real journald's files through sd-journal.
@Suite("medic logs on a real journal")
struct LogsTests {
    @Test("a unit's last lines, oldest first, limited by -n")
    func lastLines() throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        // journald files the unit's stdout stream asynchronously: wait, boundedly (10 s, for a loaded
        // machine running the other tests' managers), for the last line. Should a run's output be lost
        // on such a machine, a new unit runs the same command (three tries at most).
        var lines: [String] = []
        attempts: for _ in 0..<3 {
            let name = uniqueUnit("talker")
            try sandbox.runService(name, ["/bin/sh", "-c", "echo first; echo second; echo third >&2; exit 2"], wait: true)
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let result = try MedicBinary.run(["logs", "--directory", sandbox.journalDirectory, "-n", "2", name])
                lines = result.standardOutput.split(separator: "\n").map(String.init)
                if lines.last?.hasSuffix(": third") == true { break attempts }
                usleep(50_000)
            }
        }
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix(": second") == true)
        #expect(lines.last?.hasSuffix(": third") == true)
        #expect(lines.first?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z sh\[\d+\]: second/) != nil)
    }

    @Test("a unit with no entries says so on stderr")
    func noEntries() throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let result = try MedicBinary.run(["logs", "--directory", sandbox.journalDirectory, uniqueUnit("silent")])
        #expect(result.status == 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("no journal entries for medic-test-silent-"))
    }
}
