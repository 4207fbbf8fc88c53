import Foundation
import MedicCore

/// Finds and reads the configuration file: an explicit path must exist; the conventional one
/// (`/etc/medic/medic.yaml` as root, `$XDG_CONFIG_HOME/medic/medic.yaml` otherwise) may be absent,
/// and then the defaults apply.
public enum ConfigLoader {
    /// The conventional configuration path for this user.
    public static func defaultPath(isRoot: Bool, environment: [String: String]) -> String {
        if isRoot { return "/etc/medic/medic.yaml" }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "") + "/.config")
        return config + "/medic/medic.yaml"
    }

    /// The configuration, or its first problem. `trustedOwner` is the uid whose files are trusted
    /// besides root's (see `TrustedFile`); nil skips the ownership checks.
    public static func load(explicitPath: String?, isRoot: Bool, environment: [String: String], trustedOwner: uid_t?) throws(ConfigError) -> MedicConfiguration {
        let outcome = check(explicitPath: explicitPath, isRoot: isRoot, environment: environment, trustedOwner: trustedOwner)
        if let first = outcome.problems.first { throw first }
        return outcome.configuration ?? MedicConfiguration()
    }

    /// Reads and checks the file, with every problem found. An absent conventional file means the
    /// defaults; an absent explicit one is a problem.
    public static func check(explicitPath: String?, isRoot: Bool, environment: [String: String], trustedOwner: uid_t?) -> ConfigParser.Outcome {
        let path = explicitPath ?? defaultPath(isRoot: isRoot, environment: environment)
        var info = stat()
        if explicitPath == nil, lstat(path, &info) != 0, errno == ENOENT {
            return ConfigParser.Outcome(configuration: MedicConfiguration(), problems: [])
        }
        do throws(TrustedFile.Refusal) {
            let text = try TrustedFile.read(path, trustedOwner: trustedOwner)
            return ConfigParser.check(text, file: path)
        } catch {
            return ConfigParser.Outcome(configuration: nil, problems: [ConfigError(file: path, line: 1, column: 1, field: "", message: error.message)])
        }
    }
}
