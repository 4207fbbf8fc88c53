import GRDB
import MedicCore

/// The `observation` table's rows; times are integer microseconds since the epoch.
struct ObservationRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "observation"
    var id: Int64?
    var unit: String
    var time: Int64
    var activeState: String
    var subState: String
    var health: String
    var cause: String
    var reason: String
    var result: String?
    var exitCode: Int32?
    var exitStatus: Int32?
    var invocationID: String?
    var isGap: Bool
    /// The running sums up to this row (see `RunningSums`), in microseconds.
    var sumGood: Int64?
    var sumBad: Int64?
    var sumExcluded: Int64?
    var sumUnknown: Int64?

    /// The running sums as seconds, when summed.
    var sums: TimeTotals? {
        get {
            guard let sumGood, let sumBad, let sumExcluded, let sumUnknown else { return nil }
            return TimeTotals(good: seconds(sumGood), bad: seconds(sumBad), excluded: seconds(sumExcluded), unknown: seconds(sumUnknown))
        }
        set {
            sumGood = newValue.map { micros($0.good) }
            sumBad = newValue.map { micros($0.bad) }
            sumExcluded = newValue.map { micros($0.excluded) }
            sumUnknown = newValue.map { micros($0.unknown) }
        }
    }

    init(_ stored: StoredObservation) {
        unit = stored.unit
        time = Int64((stored.observation.time * 1_000_000).rounded())
        activeState = stored.observation.activeState
        subState = stored.observation.subState
        health = stored.observation.health.rawValue
        cause = stored.cause
        reason = stored.reason
        result = stored.result
        exitCode = stored.exitCode
        exitStatus = stored.exitStatus
        invocationID = stored.invocationID
        isGap = stored.observation.isGap
    }

    var model: StoredObservation {
        var observation = StateObservation(time: Double(time) / 1_000_000, activeState: activeState, subState: subState, health: Health(rawValue: health) ?? .unknown, cause: HealthCause(rawValue: cause))
        observation.isGap = isGap
        return StoredObservation(unit: unit, observation: observation, cause: cause, reason: reason, result: result, exitCode: exitCode, exitStatus: exitStatus, invocationID: invocationID)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The `session` table's rows.
struct SessionRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "session"
    var id: Int64?
    var startedAt: Int64
    var lastSeenAt: Int64
    var stoppedAt: Int64?

    var model: StoredSession {
        StoredSession(id: id ?? 0, startedAt: Double(startedAt) / 1_000_000, lastSeenAt: Double(lastSeenAt) / 1_000_000, stoppedAt: stoppedAt.map { Double($0) / 1_000_000 })
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }
func seconds(_ micros: Int64) -> Double { Double(micros) / 1_000_000 }
