import Foundation
import MedicEngine
import MedicTestSupport
import SystemdSandbox
import Testing

/// The Swift toolchain's directory, which `packaging/check-deb` sets after installing the package.
private let packagedToolchain = ProcessInfo.processInfo.environment["MEDIC_PACKAGE_CHECK"]

/// The installed Debian package used as on a host without Swift: `/usr/bin/medic` with the toolchain
/// hidden in a private mount namespace. `packaging/check-deb` runs this suite after installing the
/// package (it sets MEDIC_PACKAGE_CHECK to the toolchain's directory), then purges the package and
/// checks what is left; an ordinary `swift test` skips it.
@Suite("the installed package", .enabled(if: packagedToolchain != nil, "run by packaging/check-deb after it installed the package"))
struct InstalledPackageTests {
    static let installed = "/usr/bin/medic"

    /// `argv` run in a private mount namespace where the Swift toolchain's directory is an empty tmpfs.
    static func withoutSwift(_ argv: [String]) -> [String] {
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs medic-no-swift \"$0\" && exec \"$@\"", packagedToolchain ?? "/nonexistent"] + argv
    }

    @Test("medic --version, status and run work with the Swift toolchain hidden; run takes the packaged configuration, playbooks and state directory")
    func runsWithoutSwift() throws {
        let toolchain = try #require(packagedToolchain)
        // The namespace really hides the toolchain: the test's own Swift libraries are not there.
        let hidden = try Command.run(Self.withoutSwift(["sh", "-c", "ls -A \"$0\" | wc -l", toolchain]))
        #expect(hidden.status == 0 && hidden.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(hidden.standardError)")
        let libraries = try Command.run(Self.withoutSwift(["ldd", Self.installed]))
        #expect(libraries.status == 0 && !libraries.standardOutput.contains("not found") && !libraries.standardOutput.contains("swift"), "\(libraries.standardOutput)")

        let version = try Command.run(Self.withoutSwift([Self.installed, "--version"]))
        #expect(version.status == 0 && version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == MedicVersion.current, "\(version.standardOutput)\(version.standardError)")

        try withSandbox { sandbox in
            let steady = uniqueUnit("packaged-steady")
            try sandbox.runService(steady, ["/bin/sleep", "infinity"])
            let status = try Command.run(Self.withoutSwift([Self.installed, "status", "--json", "--bus-address", sandbox.busAddress, steady]), environment: sandbox.environment)
            #expect(status.status == 0, "\(status.standardError)")
            let document = try JSONDecoder().decode(StatusDocument.self, from: Data(status.standardOutput.utf8))
            #expect(document.units.map(\.unit) == [steady])
            #expect(document.units.first?.health == "healthy")

            // The daemon with every default: /etc/medic/medic.yaml (the package's conffile), the
            // packaged playbooks (no /etc/medic/playbooks exists) and /var/lib/medic for its history.
            var environment = sandbox.environment
            environment["MEDIC_LOG_LEVEL"] = "info"
            let daemon = try ChildProcess.spawn(Self.withoutSwift([Self.installed, "run", "--bus-address", sandbox.busAddress]),
                                                environment: environment, standardOutput: .null, standardError: .pipe)
            let log = LineReader(fd: daemon.standardError)
            let ready = log.waitFor(timeout: 60) { $0.contains("watching") }
            daemon.signal(SIGTERM)
            let exit = daemon.wait()
            let lines = log.all
            #expect(ready != nil, "\(lines.joined(separator: "\n"))")
            #expect(exit == 0, "\(lines.joined(separator: "\n"))")
            #expect(lines.contains { $0.contains("/usr/share/medic/playbooks") }, "the packaged playbooks are said to be in use: \(lines.joined(separator: "\n"))")
            #expect(FileManager.default.fileExists(atPath: "/var/lib/medic/medic.db"), "the history is kept in /var/lib/medic")
        }
    }
}
