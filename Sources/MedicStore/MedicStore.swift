import Foundation
import GRDB
import MedicCore
import Synchronization

/// Medic's durable history in SQLite: every unit's timeline of observed states and the daemon's
/// sessions. One type owns the database; migrations are append-only and named.
///
/// File stores use WAL, so `medic slo` and `medic status` read while the daemon writes.
public final class MedicStore: Sendable {
    let writer: any DatabaseWriter
    /// The availability policy the rows' running sums are kept under, if any (see
    /// `keepAvailabilitySums(under:)`); read inside write transactions, which the writer serialises.
    let summedUnder = Mutex<AvailabilityPolicy?>(nil)

    /// Opens (creating if needed) the store at `path` for writing, its directory and files private.
    public convenience init(path: String) throws {
        _ = try StoreFiles.prepare(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        try self.init(writer: DatabasePool(path: path, configuration: configuration))
    }

    /// Opens an existing store for reading only (reviews work on read-only media and on copies);
    /// nothing is created or migrated.
    public convenience init(readingFrom path: String) throws(StoreOpenError) {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        func open(_ name: String) throws -> DatabaseQueue {
            let queue = try DatabaseQueue(path: name, configuration: configuration)
            let complete = try queue.read { db in try Self.migrator.hasCompletedMigrations(db) }
            guard complete else {
                throw StoreOpenError(message: "the history store \(path) was written by an older Medic: run `medic run` once to bring it up to date")
            }
            return queue
        }
        do {
            do {
                try self.init(reader: try open(path))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN && FileManager.default.isReadableFile(atPath: path) {
                // On read-only media SQLite cannot create the WAL index it needs; a store nobody can
                // write to does not change, so it is read as immutable (SQLite's URI parameter).
                let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))) ?? path
                try self.init(reader: try open("file:\(encoded)?immutable=1"))
            }
        } catch let error as StoreOpenError {
            throw error
        } catch {
            throw StoreOpenError(message: StoreFailure.describe(error, store: path))
        }
    }

    private init(reader: DatabaseQueue) throws {
        self.writer = reader
    }

    /// A private in-memory store, for tests.
    public static func inMemory() throws -> MedicStore {
        try MedicStore(writer: DatabaseQueue())
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
        let policy = try writer.read { db in try Self.storedSumPolicy(db) }
        summedUnder.withLock { $0 = policy }
    }

    /// Shipped migrations are never modified; new ones are appended.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: observations and sessions") { db in
            try db.create(table: "observation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("unit", .text).notNull()
                t.column("time", .integer).notNull()
                t.column("activeState", .text).notNull()
                t.column("subState", .text).notNull()
                t.column("health", .text).notNull()
                t.column("cause", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("result", .text)
                t.column("exitCode", .integer)
                t.column("exitStatus", .integer)
                t.column("invocationID", .text)
                t.column("isGap", .boolean).notNull()
            }
            try db.create(index: "observation_by_unit_time", on: "observation", columns: ["unit", "time"])
            try db.create(table: "session") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .integer).notNull()
                t.column("lastSeenAt", .integer).notNull()
                t.column("stoppedAt", .integer)
            }
        }
        migrator.registerMigration("v2: corrections") { db in
            try db.create(table: "correction") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("unit", .text).notNull()
                t.column("playbook", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("alternatives", .text).notNull()
                t.column("dryRun", .boolean).notNull()
                t.column("state", .text).notNull()
                t.column("startedAt", .integer).notNull()
                t.column("endedAt", .integer)
                t.column("verification", .text)
            }
            try db.create(index: "correction_by_unit", on: "correction", columns: ["unit", "id"])
            try db.create(table: "correctionStep") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("correctionID", .integer).notNull().references("correction", onDelete: .cascade)
                t.column("action", .text).notNull()
                t.column("startedAt", .integer).notNull()
                t.column("endedAt", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("error", .text)
                t.column("isRollback", .boolean).notNull()
                t.column("captured", .integer)
            }
        }
        migrator.registerMigration("v3: learning and review") { db in
            try db.alter(table: "correction") { t in
                t.add(column: "signature", .text).notNull().defaults(to: "")
                t.add(column: "trigger", .text).notNull().defaults(to: "")
                t.add(column: "rank", .integer).notNull().defaults(to: 1)
                t.add(column: "journal", .text).notNull().defaults(to: "")
                t.add(column: "recoverySeconds", .double)
            }
            try db.create(index: "correction_by_playbook", on: "correction", columns: ["playbook", "id"])
            try db.create(table: "statisticsReset") { t in
                t.primaryKey("playbook", .text)
                t.column("at", .integer).notNull()
            }
        }
        migrator.registerMigration("v4: reloads") { db in
            try db.alter(table: "session") { t in
                t.add(column: "reloadedAt", .integer)
                t.add(column: "reloadError", .text)
            }
        }
        migrator.registerMigration("v5: availability running sums") { db in
            // Each row's seconds per availability class from the unit's first row up to this one
            // (microseconds), under the policy named in `setting`; NULL until summed.
            try db.alter(table: "observation") { t in
                t.add(column: "sumGood", .integer)
                t.add(column: "sumBad", .integer)
                t.add(column: "sumExcluded", .integer)
                t.add(column: "sumUnknown", .integer)
            }
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        return migrator
    }

    /// A write transaction, for the extensions of this type.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(updates)
    }

    /// A read, for the extensions of this type.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(value)
    }

    // MARK: Sessions

    /// Records the start of a daemon run and returns its id.
    public func beginSession(at time: Double) async throws -> Int64 {
        try await writer.write { db in
            var record = SessionRecord(id: nil, startedAt: micros(time), lastSeenAt: micros(time), stoppedAt: nil)
            try record.insert(db)
            return record.id ?? 0
        }
    }

    /// Moves the session's "still running at" mark forward.
    public func heartbeat(session: Int64, at time: Double) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE session SET lastSeenAt = ? WHERE id = ?", arguments: [micros(time), session])
        }
    }

    /// Marks a clean stop.
    public func endSession(_ session: Int64, at time: Double) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE session SET lastSeenAt = ?, stoppedAt = ? WHERE id = ?", arguments: [micros(time), micros(time), session])
        }
    }

    /// The latest session, or the latest before `id`.
    public func lastSession(before id: Int64? = nil) async throws -> StoredSession? {
        try await writer.read { db in
            let request = SessionRecord.order(Column("id").desc)
            let filtered = id.map { request.filter(Column("id") < $0) } ?? request
            return try filtered.fetchOne(db)?.model
        }
    }

    /// Notes a reload of the running daemon's configuration on its session: nil when it was taken,
    /// else why it was refused (the previous configuration stays in use).
    public func recordReload(error: String?, at time: Double) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE session SET reloadedAt = ?, reloadError = ? WHERE id = (SELECT MAX(id) FROM session)",
                           arguments: [micros(time), error])
        }
    }

    /// The latest session's last reload: when, and why it was refused (nil error when taken).
    public func lastReload() async throws -> (at: Double, error: String?)? {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT reloadedAt, reloadError FROM session ORDER BY id DESC LIMIT 1"),
                  let at = row["reloadedAt"] as Int64? else { return nil }
            return (Double(at) / 1_000_000, row["reloadError"])
        }
    }

    // MARK: Observations

    /// How many state changes are stored (all units).
    public func observationCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM observation") ?? 0 }
    }

    /// Appends observations in one transaction, with their running sums when the store keeps them.
    public func append(_ observations: [StoredObservation]) async throws {
        guard !observations.isEmpty else { return }
        try await writer.write { [self] db in
            let policy = summedUnder.withLock { $0 }
            var sums = RunningSums(policy: policy)
            for observation in observations {
                var record = ObservationRecord(observation)
                if sums != nil { record.sums = try sums?.next(for: observation, in: db) }
                try record.insert(db)
            }
            if let sums, !sums.broken.isEmpty { try Self.resum(db, units: sums.broken, policy: sums.policy) }
        }
    }

    /// Each unit's latest observation.
    public func latestObservations() async throws -> [String: StoredObservation] {
        try await writer.read { db in
            let records = try ObservationRecord.fetchAll(db, sql: """
                SELECT o.* FROM observation o
                JOIN (SELECT unit, MAX(id) AS id FROM observation GROUP BY unit) latest ON latest.id = o.id
                """)
            return Dictionary(records.map { ($0.unit, $0.model) }, uniquingKeysWith: { $1 })
        }
    }

    /// A unit's observations from `from` on, preceded by the one in effect at `from` (if any), in order.
    public func observations(of unit: String, from: Double) async throws -> [StoredObservation] {
        try await writer.read { db in
            let start = micros(from)
            let before = try ObservationRecord.fetchOne(db, sql: "SELECT * FROM observation WHERE unit = ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1", arguments: [unit, start])
            let after = try ObservationRecord.fetchAll(db, sql: "SELECT * FROM observation WHERE unit = ? AND time >= ? ORDER BY time, id", arguments: [unit, start])
            return ([before].compactMap { $0 } + after).map(\.model)
        }
    }

    /// Every unit with a timeline.
    public func units() async throws -> [String] {
        try await writer.read { db in
            try Self.distinctUnits(db)
        }
    }

    /// Deletes observations older than `before`, keeping each unit's last one before it (the state in
    /// effect at the start of retained history). Returns how many rows went.
    @discardableResult
    public func prune(before: Double) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: """
                DELETE FROM observation WHERE time < ? AND id NOT IN (
                    SELECT MAX(id) FROM observation WHERE time < ? GROUP BY unit)
                """, arguments: [micros(before), micros(before)])
            return db.changesCount
        }
    }
}
