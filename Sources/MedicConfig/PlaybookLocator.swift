/// Which playbooks `run`, `heal`, `explain` and `playbook list` use, and how to say where they come
/// from: the paths given with `--playbooks`; else the installed directory (`/etc/medic/playbooks`
/// as root, the user's otherwise) when it exists; else the packaged set (`/usr/share/medic/playbooks`,
/// the .deb's); else the set shipped with this build (the `Playbooks` directory of the source checkout
/// the binary was built in); else none. Pure: the caller says what exists.
public struct PlaybookLocation: Sendable, Equatable {
    /// Where the set comes from.
    public enum Origin: String, Sendable {
        case given, installed, packaged, shipped, none
    }

    public var origin: Origin
    public var paths: [String]
    /// The installed directory, for saying where nothing was found.
    public var installedDirectory: String

    /// One line for an operator: which set is in use and why.
    public var description: String {
        switch origin {
        case .given: return "playbooks from \(paths.joined(separator: ", "))"
        case .installed: return "the installed playbooks in \(installedDirectory)"
        case .packaged: return "the packaged playbooks in \(paths[0]) (none installed in \(installedDirectory))"
        case .shipped: return "the playbooks shipped with this build in \(paths[0]) (none installed in \(installedDirectory))"
        case .none: return "no playbooks: none installed in \(installedDirectory) and no packaged or shipped set found"
        }
    }

    public init(origin: Origin, paths: [String], installedDirectory: String) {
        self.origin = origin
        self.paths = paths
        self.installedDirectory = installedDirectory
    }
}

/// Finds the playbook set (see `PlaybookLocation`).
public enum PlaybookLocator {
    public static let packagedDirectory = "/usr/share/medic/playbooks"

    /// - Parameters:
    ///   - executable: the running binary's real path (its build tree tells the source checkout).
    ///   - isDirectory: whether a path is an existing directory.
    ///   - isFile: whether a path is an existing file.
    public static func locate(given: [String], installedDirectory: String, executable: String,
                              isDirectory: (String) -> Bool, isFile: (String) -> Bool) -> PlaybookLocation {
        if !given.isEmpty { return PlaybookLocation(origin: .given, paths: given, installedDirectory: installedDirectory) }
        if isDirectory(installedDirectory) { return PlaybookLocation(origin: .installed, paths: [installedDirectory], installedDirectory: installedDirectory) }
        if isDirectory(packagedDirectory) { return PlaybookLocation(origin: .packaged, paths: [packagedDirectory], installedDirectory: installedDirectory) }
        if let checkout = checkout(of: executable, isDirectory: isDirectory, isFile: isFile) {
            return PlaybookLocation(origin: .shipped, paths: [checkout + "/Playbooks"], installedDirectory: installedDirectory)
        }
        return PlaybookLocation(origin: .none, paths: [], installedDirectory: installedDirectory)
    }

    /// The source checkout a binary in its build tree (`CHECKOUT/.build/.../medic`) was built in.
    static func checkout(of executable: String, isDirectory: (String) -> Bool, isFile: (String) -> Bool) -> String? {
        guard let build = executable.range(of: "/.build/") else { return nil }
        let checkout = String(executable[..<build.lowerBound])
        guard !checkout.isEmpty, isFile(checkout + "/Package.swift"), isDirectory(checkout + "/Playbooks") else { return nil }
        return checkout
    }
}
