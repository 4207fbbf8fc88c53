import Foundation

/// The files behind a store (`medic.db` and SQLite's `-wal` and `-shm`) and their directory: kept
/// private whatever the umask (stored journal excerpts are not for every local user), and moved
/// aside together when the store is corrupt.
public enum StoreFiles {
    /// SQLite's companions of a database file.
    static let suffixes = ["", "-wal", "-shm"]

    /// Creates the directory (0700) and the database file (0600) if needed, and tightens an existing
    /// directory or file that others could read. Returns one line per change made to existing files.
    static func prepare(_ path: String) throws -> [String] {
        var notes: [String] = []
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            // Only the state directory itself: its parents (/var/lib) are not Medic's to change.
            notes += tighten(directory, to: 0o700)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 { close(fd) }
        for suffix in suffixes { notes += tighten(path + suffix, to: 0o600) }
        return notes
    }

    /// Sets `mode` when the file grants more; a note saying so, or nothing. A directory shared on
    /// purpose (sticky, like /tmp) or owned by someone else is left alone: the database files in it
    /// are private all the same.
    private static func tighten(_ path: String, to mode: mode_t) -> [String] {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { return [] }
        guard info.st_mode & S_ISVTX == 0, info.st_uid == geteuid() else { return [] }
        let current = info.st_mode & 0o777
        guard current & ~mode != 0 else { return [] }
        guard chmod(path, current & mode) == 0 else { return ["cannot make \(path) private (mode \(String(current, radix: 8))): \(String(cString: strerror(errno)))"] }
        return ["made \(path) private: mode \(String(current, radix: 8)) -> \(String(current & mode, radix: 8))"]
    }

    /// Renames the database and its companions to `<path>.corrupt-<time><suffix>`; returns the new
    /// name of the database file.
    static func moveAside(_ path: String, at time: Date) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let target = "\(path).corrupt-\(formatter.string(from: time))"
        for suffix in suffixes where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, target + suffix) == 0 else {
                throw StoreOpenError(message: "cannot move the corrupt store \(path)\(suffix) aside: \(String(cString: strerror(errno)))")
            }
        }
        return target
    }
}

/// Why a store could not be opened, in one line for the operator.
public struct StoreOpenError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
