import CSystemd
import Glibc

/// Converts between unit object paths and unit names using sd-bus's own escaping.
public enum UnitObjectPath {
    /// The unit name a path under /org/freedesktop/systemd1/unit encodes, or nil for other paths.
    public static func unitName(of path: String) -> String? {
        var decoded: UnsafeMutablePointer<CChar>? = nil
        let r = sd_bus_path_decode(path, SystemdManager.unitPathPrefix, &decoded)
        guard r > 0, let decoded else { return nil }
        defer { free(decoded) }
        return String(cString: decoded)
    }

    /// The path systemd gives a unit's object (for matching signals; calls get paths from GetUnit).
    public static func encode(_ name: String) -> String? {
        var encoded: UnsafeMutablePointer<CChar>? = nil
        guard sd_bus_path_encode(SystemdManager.unitPathPrefix, name, &encoded) >= 0, let encoded else { return nil }
        defer { free(encoded) }
        return String(cString: encoded)
    }
}
