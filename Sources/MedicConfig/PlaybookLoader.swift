import Foundation
import MedicCore

/// A set of playbooks read from files and directories, with every problem found in any of them.
/// The set is usable only when `problems` is empty: Medic never runs half of a playbook set.
public struct PlaybookSet: Sendable {
    public var playbooks: [Playbook]
    public var problems: [ConfigError]
    /// How many files were read.
    public var files: Int

    public var isValid: Bool { problems.isEmpty }
}

/// Finds playbook files (`*.yaml`, `*.yml`; directories are read one level deep, in name order),
/// checks that they are safe to trust, parses them and refuses duplicate names.
public enum PlaybookLoader {
    /// The conventional playbook directory for this user.
    public static func defaultDirectory(isRoot: Bool, environment: [String: String]) -> String {
        if isRoot { return "/etc/medic/playbooks" }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "") + "/.config")
        return config + "/medic/playbooks"
    }

    /// - Parameter trustedOwner: when set (root's uid 0 for the system service), every file and every
    ///   directory above it must be owned by that uid (or root) and writable by no one else, as sudo
    ///   demands of sudoers.
    public static func load(paths: [String], trustedOwner: uid_t? = nil) -> PlaybookSet {
        var files: [String] = []
        var problems: [ConfigError] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ConfigError(file: path, line: 1, column: 1, field: "", message: "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        var playbooks: [Playbook] = []
        var seen: [String: String] = [:]
        for file in files {
            let text: String
            switch read(file, trustedOwner: trustedOwner) {
            case .success(let contents): text = contents
            case .failure(let problem):
                problems.append(problem)
                continue
            }
            let outcome = PlaybookParser.parse(text, file: file)
            problems += outcome.problems
            guard let playbook = outcome.playbook else { continue }
            if let other = seen[playbook.name] {
                problems.append(ConfigError(file: file, line: outcome.nameLine, column: outcome.nameColumn, field: "name", message: "duplicate playbook name '\(playbook.name)' (also in \(other))"))
                continue
            }
            seen[playbook.name] = file
            playbooks.append(playbook)
        }
        return PlaybookSet(playbooks: playbooks, problems: problems, files: files.count)
    }

    /// Opens without following links, then checks what was opened (fstat), so the file checked is the
    /// file read.
    static func read(_ file: String, trustedOwner: uid_t?) -> Result<String, ConfigError> {
        func problem(_ message: String) -> Result<String, ConfigError> {
            .failure(ConfigError(file: file, line: 1, column: 1, field: "", message: message))
        }
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            return problem(errno == ELOOP ? "refused: a symbolic link (point Medic at the file itself)" : "cannot open: \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else { return problem("cannot stat: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else { return problem("refused: not a regular file") }
        guard info.st_size <= 1 << 20 else { return problem("refused: larger than 1 MiB") }
        if let owner = trustedOwner {
            if let refusal = unsafe(info, owner: owner) { return problem("refused: the file \(refusal)") }
            var directory = (file as NSString).deletingLastPathComponent
            if directory.isEmpty { directory = FileManager.default.currentDirectoryPath }
            while true {
                var dirInfo = stat()
                // A root-owned sticky directory (/tmp) is safe above ours: nobody else can rename or
                // remove an entry they do not own in it.
                if stat(directory, &dirInfo) == 0, !(dirInfo.st_uid == 0 && dirInfo.st_mode & S_ISVTX != 0), let refusal = unsafe(dirInfo, owner: owner) {
                    return problem("refused: its directory \(directory) \(refusal)")
                }
                let parent = (directory as NSString).deletingLastPathComponent
                if parent == directory || parent.isEmpty { break }
                directory = parent
            }
        }
        guard let data = try? handle.readToEnd(), let text = String(data: data, encoding: .utf8) else {
            return problem("cannot read it as UTF-8 text")
        }
        return .success(text)
    }

    /// Why a file or directory cannot be trusted, or nil.
    private static func unsafe(_ info: stat, owner: uid_t) -> String? {
        if info.st_uid != owner && info.st_uid != 0 { return "is owned by uid \(info.st_uid), not \(owner)" }
        if info.st_mode & S_IWOTH != 0 { return "is writable by everyone (chmod o-w)" }
        if info.st_mode & S_IWGRP != 0 { return "is writable by its group (chmod g-w)" }
        return nil
    }
}
