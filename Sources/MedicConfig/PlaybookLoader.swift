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

    /// The file's text through `TrustedFile`, or the refusal as a located problem.
    static func read(_ file: String, trustedOwner: uid_t?) -> Result<String, ConfigError> {
        do throws(TrustedFile.Refusal) {
            let text = try TrustedFile.read(file, trustedOwner: trustedOwner)
            guard !text.allSatisfy(\.isWhitespace) else {
                return .failure(ConfigError(file: file, line: 1, column: 1, field: "", message: "the file is empty: a playbook needs at least a name and steps"))
            }
            return .success(text)
        } catch {
            return .failure(ConfigError(file: file, line: 1, column: 1, field: "", message: error.message))
        }
    }
}
