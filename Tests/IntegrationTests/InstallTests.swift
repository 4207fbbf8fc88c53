import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic install` and `medic uninstall`, staged under a directory instead of the real system.
@Suite("medic install and uninstall")
struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("install puts binary, unit, configuration and playbooks in place; uninstall removes them and keeps what the operator changed")
    func roundTrip() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("medic-install-\(UInt32.random(in: 0..<UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The tests run a debug build: refused unless forced.
        let refused = try MedicBinary.run(["install", "--system", "--prefix", "/opt/medic", "--root", root, "--source", Self.repository])
        #expect(refused.status == 1 && refused.standardError.contains("this is a debug build"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: root))
        // A dry-run lists every path and writes nothing.
        let preview = try MedicBinary.run(["install", "--dry-run", "--system", "--prefix", "/opt/medic", "--root", root, "--source", Self.repository])
        #expect(preview.status == 0, "\(preview.standardError)")
        for path in ["/opt/medic/bin/medic", "/etc/systemd/system/medic.service", "/etc/medic/medic.yaml", "/etc/medic/playbooks/restart-failed.yaml", "/etc/medic/installed-files"] {
            #expect(preview.standardOutput.contains(root + path), "\(path) in \(preview.standardOutput)")
        }
        #expect(!FileManager.default.fileExists(atPath: root), "a dry-run writes nothing")

        let installed = try MedicBinary.run(["install", "--force", "--system", "--prefix", "/opt/medic", "--root", root, "--source", Self.repository])
        #expect(installed.status == 0, "\(installed.standardOutput)\(installed.standardError)")
        // The record names the paths as the installed system sees them, not the staging directory.
        let record = try String(contentsOfFile: root + "/etc/medic/installed-files", encoding: .utf8)
        #expect(record.contains("/opt/medic/bin/medic\t-\n") && !record.contains(root), "\(record)")
        let files = ["/opt/medic/bin/medic", "/etc/systemd/system/medic.service", "/etc/medic/medic.yaml", "/etc/medic/playbooks/restart-failed.yaml"]
        for file in files { #expect(FileManager.default.fileExists(atPath: root + file), "\(file)") }
        #expect(FileManager.default.isExecutableFile(atPath: root + "/opt/medic/bin/medic"))
        #expect(try MedicBinary.run(["install", "--help"]).status == 0)
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/medic.service", encoding: .utf8)
        #expect(unit.contains("\nExecStart=/opt/medic/bin/medic run --system\n"), "the unit runs the installed binary")
        #expect(unit.contains("Type=notify") && unit.contains("WatchdogSec="))
        // The installed playbooks are valid and owned as the daemon demands (as root: checked).
        let check = try MedicBinary.run(["playbook", "check", root + "/etc/medic/playbooks"])
        #expect(check.status == 0, "\(check.standardOutput)")
        // The installed binary works.
        #expect(try Command.run([root + "/opt/medic/bin/medic", "--help"]).succeeded)

        // An operator changes one playbook and the configuration; a second install keeps both.
        try "# tuned\n".write(toFile: root + "/etc/medic/medic.yaml", atomically: true, encoding: .utf8)
        let tuned = root + "/etc/medic/playbooks/escalate.yaml"
        try (try String(contentsOfFile: tuned, encoding: .utf8) + "# tuned\n").write(toFile: tuned, atomically: true, encoding: .utf8)
        let again = try MedicBinary.run(["install", "--force", "--system", "--prefix", "/opt/medic", "--root", root, "--source", Self.repository]).standardOutput
        #expect(again.contains("escalate.yaml (kept: changed since it was installed)") && again.contains("medic.yaml (kept: it exists)"), "\(again)")
        #expect(again.contains("restart-failed.yaml (up to date)"))

        let removed = try MedicBinary.run(["uninstall", "--system", "--prefix", "/opt/medic", "--root", root])
        #expect(removed.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/opt/medic/bin/medic"))
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/systemd/system/medic.service"))
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/medic/playbooks/restart-failed.yaml"))
        #expect(FileManager.default.fileExists(atPath: tuned), "a changed playbook is kept")
        #expect(FileManager.default.fileExists(atPath: root + "/etc/medic/medic.yaml"), "the configuration is kept")

        _ = try MedicBinary.run(["uninstall", "--system", "--prefix", "/opt/medic", "--root", root, "--purge"])
        #expect(!FileManager.default.fileExists(atPath: root + "/etc/medic"))
    }

    @Test("install outside a checkout says what is missing")
    func notACheckout() throws {
        let result = try MedicBinary.run(["install", "--force", "--user", "--root", "/tmp/medic-nowhere", "--source", "/tmp"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/tmp is not a Medic checkout"))
    }
}
