import Foundation
import GRDB

/// What opening the daemon's store did besides opening it, for the log.
public struct StoreOpening: Sendable {
    public var store: MedicStore
    /// Permissions tightened on existing files, one line each.
    public var notes: [String]
    /// Where a corrupt store was moved, when it was.
    public var movedAside: String?
    /// What was wrong with the store that was moved aside.
    public var corruption: String?
}

extension MedicStore {
    /// Opens the daemon's store: private files, a quick integrity check, and a corrupt store moved
    /// aside (kept, with its WAL) for a fresh one, so that a broken history never stops supervision.
    public static func openForDaemon(path: String, now: Date = Date()) throws(StoreOpenError) -> StoreOpening {
        // SQLite would open a file it cannot write read-only, and the daemon would then fail at
        // every write: it is refused here instead.
        let directory = (path as NSString).deletingLastPathComponent
        for target in [directory, path] where FileManager.default.fileExists(atPath: target) && access(target, W_OK) != 0 {
            let code = errno
            if code == EROFS {
                throw StoreOpenError(message: "the history store \(path) is on a read-only file system; `medic run` needs to write there (choose another --state-dir)")
            }
            throw StoreOpenError(message: "the history store \(path) is read-only for Medic (\(String(cString: strerror(code)))); `medic run` needs to write there")
        }
        let notes: [String]
        do {
            notes = try StoreFiles.prepare(path)
        } catch {
            throw StoreOpenError(message: StoreFailure.describe(error, store: path))
        }
        // Checked through a read-only connection first: it neither checkpoints nor removes the WAL
        // when it closes, so a corrupt store is moved aside exactly as it was found.
        var corruption: String?
        do {
            corruption = try check(path)
        } catch {
            guard StoreFailure.isCorruption(error) else { throw StoreOpenError(message: StoreFailure.describe(error, store: path)) }
            corruption = StoreFailure.describe(error, store: path)
        }
        if corruption == nil {
            do {
                return StoreOpening(store: try MedicStore(path: path), notes: notes)
            } catch {
                guard StoreFailure.isCorruption(error) else { throw StoreOpenError(message: StoreFailure.describe(error, store: path)) }
                corruption = StoreFailure.describe(error, store: path)
            }
        }
        do {
            let target = try StoreFiles.moveAside(path, at: now)
            let fresh = try MedicStore(path: path)
            return StoreOpening(store: fresh, notes: notes, movedAside: target, corruption: corruption)
        } catch let error as StoreOpenError {
            throw error
        } catch {
            throw StoreOpenError(message: StoreFailure.describe(error, store: path))
        }
    }

    /// SQLite's quick check (structure and page consistency, in one pass) of the file at `path`, read
    /// only: nil when it is sound (or empty, as a new store is), else the first problems it names.
    static func check(_ path: String) throws -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let rows = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        try queue.close()
        return rows == ["ok"] ? nil : rows.prefix(3).joined(separator: "; ")
    }
}

/// Turns SQLite's errors about the store into one line an operator can act on.
public enum StoreFailure {
    /// True when the error says the file is not a sound SQLite database.
    public static func isCorruption(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    /// True for any error SQLite reported.
    public static func isDatabaseError(_ error: any Error) -> Bool { error is DatabaseError }

    /// True when the error says the disk (or the file system's quota) is full.
    public static func isDiskFull(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL
    }

    /// One line: corrupt, read-only, disk full, permissions, or SQLite's own words.
    public static func describe(_ error: any Error, store path: String) -> String {
        let store = "the history store \(path)"
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return "\(store) is corrupt (\(error.message ?? "\(error.resultCode)")); `medic run` moves it aside and starts a fresh one"
            case .SQLITE_READONLY:
                return "\(store) is read-only; `medic run` needs to write there (choose another --state-dir)"
            case .SQLITE_FULL:
                return "the disk holding the history store \(path) is full"
            case .SQLITE_CANTOPEN:
                if access((path as NSString).deletingLastPathComponent, W_OK) != 0, errno == EROFS {
                    return "\(store) is on a read-only file system; `medic run` needs to write there (choose another --state-dir)"
                }
                if !FileManager.default.fileExists(atPath: path) { return "there is no history store at \(path)" }
                return "cannot open the history store \(path) (check its permissions and those of its directory)"
            default:
                return "\(store): \(error.message ?? "\(error)")"
            }
        }
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain {
            let code = (nsError.userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? nsError.code
            if code == Int(EROFS) || nsError.code == CocoaError.fileWriteVolumeReadOnly.rawValue {
                return "the state directory of \(path) is on a read-only file system; `medic run` needs to write there (choose another --state-dir)"
            }
            if code == Int(EACCES) || nsError.code == CocoaError.fileWriteNoPermission.rawValue {
                return "no permission to create the history store \(path)"
            }
        }
        return "\(store): \(error)"
    }
}
