import Foundation
import GRDB
import MedicCore

/// A stored row with its running sums: the unit's seconds per availability class from its first
/// row up to this one.
public struct SummedObservation: Sendable, Equatable {
    public var observation: StateObservation
    public var sums: TimeTotals

    public init(observation: StateObservation, sums: TimeTotals) {
        self.observation = observation
        self.sums = sums
    }

    /// The running sums at `time` (not before this row): this row's state held since it began.
    public func sums(at time: Double, policy: AvailabilityPolicy) -> TimeTotals {
        sums + policy.totals(of: observation, from: observation.time, to: time)
    }
}

/// What the running sums let an SLO report read of one unit: two rows for the SLO window, and only
/// the recent rows the alert windows need.
public struct SummedTimeline: Sendable {
    public var unit: String
    /// The row in effect at the start of the unit's SLO window, else (the unit is younger) its first row.
    public var windowAnchor: SummedObservation
    /// The row in effect at `recentFrom`, if the unit has rows before it.
    public var recentAnchor: SummedObservation?
    /// The rows from `recentFrom` on, in order.
    public var recent: [StateObservation]
}

/// Keeps the running sums of the rows appended in one transaction: each row's sums are the previous
/// row's plus the time that row's state held, under `policy`.
struct RunningSums {
    let policy: AvailabilityPolicy
    /// Units whose rows could not be summed in order (a row older than the unit's latest, or a latest
    /// row without sums): summed again from their first row once the rows are in.
    private(set) var broken: Set<String> = []
    private var latest: [String: SummedObservation] = [:]

    init?(policy: AvailabilityPolicy?) {
        guard let policy else { return nil }
        self.policy = policy
    }

    /// The sums of `stored`, to be appended after every row of its unit so far; nil when broken.
    mutating func next(for stored: StoredObservation, in db: Database) throws -> TimeTotals? {
        let unit = stored.unit, observation = stored.observation
        guard !broken.contains(unit) else { return nil }
        var previous = latest[unit]
        if previous == nil, let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(MedicStore.summedColumns) FROM observation WHERE unit = ? ORDER BY time DESC, id DESC LIMIT 1
            """), arguments: [unit]) {
            guard let summed = MedicStore.summed(row) else {
                broken.insert(unit)
                return nil
            }
            previous = summed
        }
        let sums: TimeTotals
        if let previous {
            guard observation.time >= previous.observation.time else {
                broken.insert(unit)
                return nil
            }
            sums = previous.sums(at: observation.time, policy: policy)
        } else {
            sums = TimeTotals()
        }
        latest[unit] = SummedObservation(observation: observation, sums: sums)
        return sums
    }
}

extension MedicStore {
    static let sumPolicyKey = "availability-sums"
    /// The columns `observation(_:)` reads, in its order.
    static let observationColumns = "time, activeState, subState, health, isGap, cause"
    static let summedColumns = observationColumns + ", sumGood, sumBad, sumExcluded, sumUnknown"

    /// The policy the stored running sums were made under, if any.
    static func storedSumPolicy(_ db: Database) throws -> AvailabilityPolicy? {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [sumPolicyKey]) else { return nil }
        return try? JSONDecoder().decode(AvailabilityPolicy.self, from: Data(text.utf8))
    }

    /// A row whose first columns are `observationColumns`, as a state observation.
    static func observation(_ row: Row) -> StateObservation {
        var observation = StateObservation(
            time: seconds(row[0] as Int64), activeState: row[1], subState: row[2],
            health: Health(rawValue: row[3]) ?? .unknown, cause: HealthCause(rawValue: row[5])
        )
        observation.isGap = row[4]
        return observation
    }

    /// A row of `summedColumns`; nil when it has no sums.
    static func summed(_ row: Row) -> SummedObservation? {
        guard let good = row[6] as Int64?, let bad = row[7] as Int64?, let excluded = row[8] as Int64?, let unknown = row[9] as Int64? else { return nil }
        return SummedObservation(observation: observation(row),
                                 sums: TimeTotals(good: seconds(good), bad: seconds(bad), excluded: seconds(excluded), unknown: seconds(unknown)))
    }

    /// Every unit with rows, in order: one index seek per unit, not a pass over every row.
    static func distinctUnits(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            WITH RECURSIVE next(unit) AS (
                SELECT MIN(unit) FROM observation
                UNION ALL
                SELECT (SELECT MIN(unit) FROM observation WHERE unit > next.unit) FROM next WHERE next.unit IS NOT NULL)
            SELECT unit FROM next WHERE unit IS NOT NULL
            """)
    }

    /// Sums the rows of `units` again from each unit's first row, under `policy`.
    static func resum(_ db: Database, units: Set<String>, policy: AvailabilityPolicy) throws {
        let names = units.sorted()
        let update = try db.cachedStatement(sql: "UPDATE observation SET sumGood = ?, sumBad = ?, sumExcluded = ?, sumUnknown = ? WHERE id = ?")
        for unit in names {
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(summedColumns), id FROM observation WHERE unit = ? ORDER BY time, id"), arguments: [unit])
            var previous: SummedObservation?
            for row in rows {
                let observation = observation(row)
                let sums = previous?.sums(at: observation.time, policy: policy) ?? TimeTotals()
                try update.execute(arguments: [micros(sums.good), micros(sums.bad), micros(sums.excluded), micros(sums.unknown), row[10] as Int64])
                previous = SummedObservation(observation: observation, sums: sums)
            }
        }
    }

    /// Keeps every row's running sums under `policy` from now on, summing the stored rows again if
    /// they were kept under another policy (or none). Returns whether they were summed again.
    ///
    /// The stored rows are summed a few hundred units per transaction, so that the daemon's own
    /// writes (and its watchdog) never wait for a long history. Meanwhile reports read every change:
    /// the policy is recorded as the sums' only once every unit is summed under it. Rows appended
    /// meanwhile are summed under `policy` as they come, and a unit summed in an earlier
    /// transaction stays right. A later call with another policy takes over: this one stops.
    @discardableResult
    public func keepAvailabilitySums(under policy: AvailabilityPolicy) async throws -> Bool {
        let alreadyKept = try await writer.write { [self] db -> Bool in
            if try Self.storedSumPolicy(db) == policy {
                summedUnder.withLock { $0 = policy }
                return true
            }
            try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [Self.sumPolicyKey])
            summedUnder.withLock { $0 = policy }
            return false
        }
        guard !alreadyKept else { return false }
        let units = try await read { db in try Self.distinctUnits(db) }
        var start = 0
        repeat {
            let chunk = Set(units[start..<min(units.count, start + 256)])
            let current = try await writer.write { [self] db -> Bool in
                guard summedUnder.withLock({ $0 }) == policy else { return false }
                try Self.resum(db, units: chunk, policy: policy)
                return true
            }
            guard current else { return false }
            start += 256
        } while start < units.count
        let text = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        return try await writer.write { [self] db -> Bool in
            guard summedUnder.withLock({ $0 }) == policy else { return false }
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [Self.sumPolicyKey, text])
            return true
        }
    }

    /// Each wanted unit's summed timeline (see `SummedTimeline`) handed to `transform`, in unit order;
    /// the non-nil results. nil when the stored sums were not made under `policy` (the caller then
    /// reads the rows themselves).
    /// - Parameter windowStart: the start of a unit's SLO window, nil for a unit not wanted.
    public func mapSummedTimelines<T: Sendable>(
        under policy: AvailabilityPolicy, recentFrom: Double,
        windowStart: @escaping @Sendable (String) -> Double?,
        _ transform: @escaping @Sendable (SummedTimeline) -> T?
    ) async throws -> [T]? {
        try await read { db in
            guard try Self.storedSumPolicy(db) == policy else { return nil }
            let before = try db.cachedStatement(sql: "SELECT \(Self.summedColumns) FROM observation WHERE unit = ? AND time < ? ORDER BY time DESC, id DESC LIMIT 1")
            let first = try db.cachedStatement(sql: "SELECT \(Self.summedColumns) FROM observation WHERE unit = ? ORDER BY time, id LIMIT 1")
            let after = try db.cachedStatement(sql: "SELECT \(Self.summedColumns) FROM observation WHERE unit = ? AND time >= ? ORDER BY time, id")
            /// The first row's sums: nil without a row, .some(nil) for a row without sums. Rows are
            /// read from cursors, which decode in place rather than copy each row.
            func summedRow(_ statement: Statement, _ arguments: StatementArguments) throws -> SummedObservation?? {
                let rows = try Row.fetchCursor(statement, arguments: arguments)
                guard let row = try rows.next() else { return nil }
                return .some(Self.summed(row))
            }
            var results: [T] = []
            var recent: [StateObservation] = []
            for unit in try Self.distinctUnits(db) {
                guard let start = windowStart(unit) else { continue }
                // Rows summed under another policy cannot be here (they are summed again in the
                // transaction that changes it); a row without sums has the rows read the slow way.
                guard let anchor = try summedRow(before, [unit, micros(start)]) ?? summedRow(first, [unit]) else { continue }
                guard let windowAnchor = anchor else { return nil }
                let recentAnchor = try summedRow(before, [unit, micros(recentFrom)])
                if case .some(nil) = recentAnchor { return nil }
                recent.removeAll(keepingCapacity: true)
                let rows = try Row.fetchCursor(after, arguments: [unit, micros(recentFrom)])
                while let row = try rows.next() { recent.append(Self.observation(row)) }
                if let result = transform(SummedTimeline(unit: unit, windowAnchor: windowAnchor, recentAnchor: recentAnchor.flatMap { $0 }, recent: recent)) {
                    results.append(result)
                }
            }
            return results
        }
    }
}
