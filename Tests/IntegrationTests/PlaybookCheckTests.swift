import Foundation
import MedicTestSupport
import Testing

/// `medic playbook check` as an operator runs it.
@Suite("medic playbook check")
struct PlaybookCheckTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("the shipped playbooks are valid")
    func shipped() throws {
        let result = try MedicBinary.run(["playbook", "check", "--skip-permission-checks", Self.repository + "/Playbooks"])
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.split(separator: "\n") == [
            "\(Self.repository)/Playbooks/back-off-flapping.yaml: warning: steps[0]: 'stop' unloads a transient unit (systemd-run), so a later 'start' fails with NoSuchUnit; Medic passes this playbook over for transient units (use 'restart' to stop and start in one step)",
            "7 files, 7 valid playbooks, 0 problems, 1 warning",
        ])
    }

    @Test("a broken playbook: every problem on its own line, exit 1")
    func broken() throws {
        let directory = NSTemporaryDirectory() + "medic-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "name: x\nsteps:\n  - explode\n  - wait: later\n".write(toFile: directory + "/x.yaml", atomically: true, encoding: .utf8)
        let result = try MedicBinary.run(["playbook", "check", "--skip-permission-checks", directory])
        #expect(result.status == 1)
        #expect(result.standardOutput.split(separator: "\n") == [
            "\(directory)/x.yaml:3:5: steps[0]: unknown action 'explode'; expected one of restart, start, stop, reload, reset-failed, kill, set-property, run, wait, notify",
            "\(directory)/x.yaml:4:11: steps[1].wait: expected a duration such as 30s, 5m, 1h or 30d, got 'later'",
            "1 file, 0 valid playbooks, 2 problems",
        ])
        let missing = try MedicBinary.run(["playbook", "check", directory + "/nope"])
        #expect(missing.status == 1)
        #expect(missing.standardOutput.contains("\(directory)/nope:1:1: no such file or directory"))
    }

    @Test("playbook list names the set in use and where it comes from; without installed playbooks it is the shipped set")
    func list() throws {
        let given = try MedicBinary.run(["playbook", "list", "--playbooks", Self.repository + "/Playbooks"])
        #expect(given.status == 0, "\(given.standardError)")
        #expect(given.standardOutput.contains("using playbooks from \(Self.repository)/Playbooks"), "\(given.standardOutput)")
        #expect(given.standardOutput.contains("restart-failed") && given.standardOutput.contains("PRIORITY"), "\(given.standardOutput)")
        // As the tests run (root, nothing installed or packaged): the set shipped with this build.
        if !FileManager.default.fileExists(atPath: "/etc/medic/playbooks"), !FileManager.default.fileExists(atPath: "/usr/share/medic/playbooks") {
            let fallback = try MedicBinary.run(["playbook", "list"])
            #expect(fallback.status == 0, "\(fallback.standardError)")
            #expect(fallback.standardOutput.contains("using the playbooks shipped with this build in \(Self.repository)/Playbooks (none installed in /etc/medic/playbooks)"), "\(fallback.standardOutput)")
            #expect(fallback.standardOutput.contains("escalate"))
        }
    }
}
