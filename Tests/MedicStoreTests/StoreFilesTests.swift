import Foundation
import MedicCore
import MedicStore
import Testing

/// The store's files are private, and a broken store never stops the daemon.
@Suite("Store files")
struct StoreFilesTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "medic-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }

    func fill(_ path: String, rows: Int) async throws {
        let store = try MedicStore(path: path)
        try await store.append((0..<rows).map { i in
            StoredObservation(unit: "unit-\(i % 50).service", observation: StateObservation(time: Double(i), activeState: "active", subState: "running", health: .healthy),
                              cause: "state", reason: String(repeating: "r", count: 100))
        })
    }

    /// (The umask is the process's: `medic run` under umask 000 is tested in the integration tests.)
    @Test("a new state directory is 0700 and the database 0600, not what the umask allows")
    func privateFiles() async throws {
        let parent = try directory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/state/medic.db"
        let opening = try MedicStore.openForDaemon(path: path)
        try await opening.store.heartbeat(session: try await opening.store.beginSession(at: 1), at: 2)
        #expect(mode(parent + "/state") == 0o700)
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(opening.notes.isEmpty)
    }

    @Test("an existing store that others can read is tightened, and the change is said")
    func tightened() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/medic.db"
        try await fill(path, rows: 1)
        chmod(dir, 0o755)
        chmod(path, 0o644)
        let opening = try MedicStore.openForDaemon(path: path)
        #expect(mode(dir) == 0o700)
        #expect(mode(path) == 0o600)
        #expect(opening.notes.contains("made \(dir) private: mode 755 -> 700"), "\(opening.notes)")
        #expect(opening.notes.contains("made \(path) private: mode 644 -> 600"), "\(opening.notes)")
    }

    @Test("a state directory shared on purpose (sticky, as /tmp) is left as it is; the files in it are still private")
    func sharedDirectory() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o1777)
        let opening = try MedicStore.openForDaemon(path: dir + "/medic.db")
        #expect(mode(dir) == 0o777)
        #expect(mode(dir + "/medic.db") == 0o600)
        #expect(opening.notes.isEmpty, "\(opening.notes)")
    }

    @Test("a store that is not a database at all is moved aside, kept, and a fresh one is opened")
    func notADatabase() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/medic.db"
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        let opening = try MedicStore.openForDaemon(path: path, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(opening.movedAside == path + ".corrupt-20270115T080000Z")
        #expect(FileManager.default.contents(atPath: path + ".corrupt-20270115T080000Z") == Data(repeating: 0x5A, count: 8192))
        #expect(try await opening.store.observationCount() == 0)
    }

    @Test("corruption in data pages is found by the quick check at start, and the store moved aside with its WAL")
    func corruptPages() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/medic.db"
        try await fill(path, rows: 2000)
        // The pool is closed now (its last connection checkpointed the WAL); scribble over pages.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for page in stride(from: 3, to: 40, by: 4) {
            try handle.seek(toOffset: UInt64(page * 4096 + 8))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 2000))
        }
        try handle.close()
        _ = FileManager.default.createFile(atPath: path + "-wal", contents: Data())
        let opening = try MedicStore.openForDaemon(path: path, now: Date(timeIntervalSince1970: 1_800_000_000))
        let target = try #require(opening.movedAside)
        #expect(opening.corruption?.isEmpty == false)
        #expect(FileManager.default.fileExists(atPath: target))
        #expect(FileManager.default.fileExists(atPath: target + "-wal"))
        #expect(try await opening.store.observationCount() == 0)
    }

    @Test("a sound store is kept as it is")
    func soundStore() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/medic.db"
        try await fill(path, rows: 300)
        let opening = try MedicStore.openForDaemon(path: path)
        #expect(opening.movedAside == nil)
        #expect(try await opening.store.observationCount() == 300)
    }

    @Test("a review opens a copy of the database read-only, without migrating or creating anything beside it")
    func readOnlyCopy() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await fill(dir + "/medic.db", rows: 10)
        let copy = dir + "/copy"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: dir + "/medic.db", toPath: copy + "/medic.db")
        let store = try MedicStore(readingFrom: copy + "/medic.db")
        #expect(try await store.observationCount() == 10)
        await #expect(throws: (any Error).self) { try await store.beginSession(at: 1) }
        #expect(throws: StoreOpenError.self) { try MedicStore(readingFrom: dir + "/absent.db") }
    }
}
