import GRDB
import MedicCore

extension MedicStore {
    /// Every unit's timeline from `from` on, each preceded by the state in effect at `from` (if
    /// any), in order: what SLO evaluation needs, read in two statements rather than two per unit.
    public func timelines(from: Double) async throws -> [String: [StateObservation]] {
        try await read { db in
            let start = micros(from)
            var timelines: [String: [StateObservation]] = [:]
            func collect(_ cursor: RowCursor) throws {
                while let row = try cursor.next() {
                    let unit: String = row[0]
                    var observation = StateObservation(
                        time: Double(row[1] as Int64) / 1_000_000, activeState: row[2], subState: row[3],
                        health: Health(rawValue: row[4]) ?? .unknown
                    )
                    observation.isGap = row[5]
                    timelines[unit, default: []].append(observation)
                }
            }
            let columns = "unit, time, activeState, subState, health, isGap"
            try collect(Row.fetchCursor(db, sql: """
                SELECT \(columns) FROM (
                    SELECT \(columns), ROW_NUMBER() OVER (PARTITION BY unit ORDER BY time DESC, id DESC) AS newest
                    FROM observation WHERE time < ?)
                WHERE newest = 1
                """, arguments: [start]))
            try collect(Row.fetchCursor(db, sql: "SELECT \(columns) FROM observation WHERE time >= ? ORDER BY unit, time, id", arguments: [start]))
            return timelines
        }
    }
}
