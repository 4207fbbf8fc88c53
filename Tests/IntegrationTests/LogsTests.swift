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

    @Test("-f prints the lines written after it started, as they come; --since leaves out older ones")
    func followAndSince() throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let name = uniqueUnit("ticker")
        // One numbered line every 200 ms.
        try sandbox.runService(name, ["/bin/sh", "-c", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done"])
        let follower = try ChildProcess.spawn([MedicBinary.path, "logs", "-f", "-n", "1", "--directory", sandbox.journalDirectory, name],
                                              environment: sandbox.environment, standardOutput: .pipe, standardError: .pipe)
        defer { follower.signal(SIGKILL); _ = follower.wait() }
        let output = LineReader(fd: follower.standardOutput)
        // Lines keep coming without a new command: at least five more after the first.
        let deadline = Date().addingTimeInterval(20)
        while output.all.count < 6 && Date() < deadline { usleep(50_000) }
        #expect(output.all.count >= 6, "followed: \(output.all)")
        let numbers = output.all.compactMap { line in line.split(separator: "-").last.flatMap { Int($0) } }
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "in order, none twice: \(numbers)")

        let cut = Date().timeIntervalSince1970
        usleep(1_000_000)
        let recent = try MedicBinary.run(["logs", "--since", "@\(cut)", "-n", "1000", "--directory", sandbox.journalDirectory, name])
        let stamps = recent.standardOutput.split(separator: "\n").compactMap { line -> Double? in
            guard let time = line.split(separator: " ").first else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: String(time))?.timeIntervalSince1970
        }
        #expect(!stamps.isEmpty && stamps.count < 20, "only the last second or so: \(stamps.count) lines")
        #expect(stamps.allSatisfy { $0 >= cut }, "nothing before --since")
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
