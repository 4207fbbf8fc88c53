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

    public static func load(explicitPath: String?, isRoot: Bool, environment: [String: String]) throws(ConfigError) -> MedicConfiguration {
        let path = explicitPath ?? defaultPath(isRoot: isRoot, environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if explicitPath != nil { throw ConfigError(file: path, line: 1, column: 1, field: "", message: "no such file") }
            return MedicConfiguration()
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigError(file: path, line: 1, column: 1, field: "", message: "cannot open for reading (check its permissions)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ConfigError(file: path, line: 1, column: 1, field: "", message: "cannot read: \(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 1, column: 1, field: "", message: "not UTF-8 text")
        }
        return try ConfigParser.parse(text, file: path)
    }
}
