import Foundation
import MedicTestSupport
import Testing

/// Bad input gets one clear line on stderr and a non-zero exit, never a crash or a backtrace.
@Suite("medic refuses bad input clearly")
struct BadInputTests {
    func expectOneLineError(_ arguments: [String], contains text: String, status: Int32 = 1) throws {
        let result = try MedicBinary.run(arguments)
        #expect(result.status == status)
        #expect(result.standardError.contains(text))
        #expect(!result.standardError.contains("Fatal error"))
        #expect(!result.standardError.contains("Stack dump"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test("an invalid unit pattern")
    func badPattern() throws {
        try expectOneLineError(["status", "--user", "web service!"], contains: "medic: invalid unit pattern 'web service!': character ' ' cannot appear in a unit name")
        try expectOneLineError(["watch", "--user", "app[1.service"], contains: "'[' without ']'")
    }

    @Test("an unreachable bus")
    func unreachableBus() throws {
        try expectOneLineError(["status", "--bus-address", "unix:path=/nonexistent/bus"], contains: "medic: cannot reach systemd on bus unix:path=/nonexistent/bus")
        try expectOneLineError(["watch", "--bus-address", "unix:path=/nonexistent/bus"], contains: "medic: cannot reach systemd")
        try expectOneLineError(["status", "--bus-address", "not-an-address"], contains: "medic: cannot reach systemd")
    }

    @Test("conflicting options")
    func conflictingOptions() throws {
        let result = try MedicBinary.run(["status", "--user", "--system"])
        #expect(result.status == 1, "usage errors exit 1 like every other error")
        #expect(result.standardError.hasPrefix("medic: "), "\(result.standardError)")
        #expect(result.standardError.contains("choose one of --user, --system and --bus-address"))
        #expect(!result.standardError.contains("Error:"))
        let unknown = try MedicBinary.run(["status", "--no-such-option"])
        #expect(unknown.status == 1)
        #expect(unknown.standardError.hasPrefix("medic: ") && unknown.standardError.contains("--no-such-option"), "\(unknown.standardError)")
        #expect(unknown.standardError.contains("medic status --help"), "it says where to look: \(unknown.standardError)")
        let help = try MedicBinary.run(["status", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: medic status"))
    }

    @Test("logs without a journal says so")
    func logsWithoutJournal() throws {
        try expectOneLineError(["logs", "--directory", "/nonexistent/journal", "web"], contains: "medic: cannot open the journal")
        try expectOneLineError(["logs", "web-*"], contains: "logs takes one unit name, not a pattern")
    }
}
