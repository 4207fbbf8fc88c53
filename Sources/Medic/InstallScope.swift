import ArgumentParser
import Foundation
import MedicConfig
import ProcessRunner

/// What `install` and `uninstall` share: the scope, the prefix, the staging root and systemd's reload.
struct InstallOptions: ParsableArguments {
    @Flag(name: .customLong("user"), help: "For the calling user's manager (default when not root).")
    var user = false

    @Flag(name: .customLong("system"), help: "For the system manager (default as root).")
    var system = false

    @Option(name: .customLong("prefix"), help: ArgumentHelp("Where the binary goes, as PREFIX/bin/medic (default /usr/local, or ~/.local for a user); only the binary: the unit, configuration and playbooks go to their fixed places (use --root to stage everything, --dry-run to preview).", valueName: "dir"))
    var prefix: String?

    @Option(name: .customLong("root"), help: ArgumentHelp("Stage every file under this directory instead of the real system (implies --no-reload).", valueName: "dir"))
    var root: String?

    @Flag(name: .customLong("no-reload"), help: "Do not tell systemd (daemon-reload, enable, disable).")
    var noReload = false

    func validate() throws {
        if user && system { throw ValidationError("choose one of --user and --system") }
    }

    var layout: InstallLayout {
        let scope: InstallLayout.Scope = system ? .system : user ? .user : (geteuid() == 0 ? .system : .user)
        return InstallLayout(scope: scope, prefix: prefix, root: root ?? "", environment: ProcessInfo.processInfo.environment)
    }

    var tellsSystemd: Bool { !noReload && root == nil }

    /// `systemctl [--user] ARGS`, reported, never fatal: the files are what matters.
    func systemctl(_ arguments: [String]) {
        let command = ["systemctl"] + (layout.scope == .user ? ["--user"] : []) + arguments
        let result = try? Command.run(command)
        if result?.succeeded == true {
            Output.line("ran: \(command.joined(separator: " "))")
        } else {
            Output.line("could not run \(command.joined(separator: " ")): \(result?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "systemctl not found")")
        }
    }

    /// A stable checksum of a file's bytes (FNV-1a, 64 bits): tells whether an operator changed it.
    static func checksum(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
