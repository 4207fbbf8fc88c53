import Foundation

/// Where `medic install` puts Medic's files for the system or a user, following the conventions
/// Medic itself reads from (and systemd's unit search paths). Pure: computes paths and texts only.
public struct InstallLayout: Sendable, Equatable {
    /// For the system manager or the calling user's.
    public enum Scope: String, Sendable { case system, user }

    public var scope: Scope
    public var binary: String
    public var unit: String
    public var configuration: String
    public var playbooks: String
    public var state: String
    /// The staging directory every path is under ("" for the real system).
    public var root: String

    /// - Parameters:
    ///   - prefix: where the binary goes under `bin/` (default /usr/local, or ~/.local for a user).
    ///   - root: prepended to every path (a staging directory, as DESTDIR); "" for the real system.
    public init(scope: Scope, prefix: String?, root: String = "", environment: [String: String]) {
        self.scope = scope
        self.root = root
        let home = environment["HOME"] ?? ""
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        let stateHome = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/state"
        switch scope {
        case .system:
            binary = (prefix ?? "/usr/local") + "/bin/medic"
            unit = "/etc/systemd/system/medic.service"
            configuration = "/etc/medic/medic.yaml"
            playbooks = "/etc/medic/playbooks"
            state = "/var/lib/medic"
        case .user:
            binary = (prefix ?? home + "/.local") + "/bin/medic"
            unit = configHome + "/systemd/user/medic.service"
            configuration = configHome + "/medic/medic.yaml"
            playbooks = configHome + "/medic/playbooks"
            state = stateHome + "/medic"
        }
        installedBinary = binary
        if !root.isEmpty {
            binary = root + binary
            unit = root + unit
            configuration = root + configuration
            playbooks = root + playbooks
            state = root + state
        }
    }

    /// The binary's path as the unit refers to it (without the staging root).
    public private(set) var installedBinary: String

    /// The shipped unit file's text with ExecStart pointing at the installed binary.
    public func unitText(shipped: String) -> String {
        shipped.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("ExecStart=") else { return String(line) }
            let arguments = line.dropFirst("ExecStart=".count).split(separator: " ").dropFirst()
            return (["ExecStart=" + installedBinary] + arguments.map(String.init)).joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// A path as the installed system sees it: without the staging root (what the record keeps).
    public func final(_ path: String) -> String {
        !root.isEmpty && path.hasPrefix(root + "/") ? String(path.dropFirst(root.count)) : path
    }

    /// A recorded path where it is now: under the staging root, if any (an older record may hold
    /// staged paths already).
    public func staged(_ path: String) -> String {
        root.isEmpty || path.hasPrefix(root + "/") ? path : root + path
    }

    /// The record of what was installed, beside the configuration.
    public var manifest: String { (configuration as NSString).deletingLastPathComponent + "/installed-files" }
}
