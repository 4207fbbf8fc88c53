import GRDB
import MedicCore

extension MedicStore {
    /// Every unit's timeline from `from` on (preceded by the state in effect at `from`), handed to
    /// `transform` one unit at a time in unit order, so that only one unit's rows are in memory at
    /// once however long the history; the non-nil results, in that order.
    public func mapTimelines<T: Sendable>(from: Double, _ transform: @escaping @Sendable (String, [StateObservation]) -> T?) async throws -> [T] {
        try await read { db in
            let start = micros(from)
            // The columns `MedicStore.observation(_:)` reads, then the unit.
            let columns = Self.observationColumns + ", unit"
            var before: [String: StateObservation] = [:]
            let earlier = try Row.fetchCursor(db, sql: """
                SELECT \(columns) FROM (
                    SELECT \(columns), ROW_NUMBER() OVER (PARTITION BY unit ORDER BY time DESC, id DESC) AS newest
                    FROM observation WHERE time < ?)
                WHERE newest = 1
                """, arguments: [start])
            while let row = try earlier.next() { before[row[6]] = Self.observation(row) }
            var results: [T] = []
            var unit: String?
            var timeline: [StateObservation] = []
            func finish() {
                guard let unit else { return }
                if let result = transform(unit, timeline) { results.append(result) }
                timeline.removeAll(keepingCapacity: true)
            }
            let inside = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM observation WHERE time >= ? ORDER BY unit, time, id", arguments: [start])
            while let row = try inside.next() {
                let name: String = row[6]
                if name != unit {
                    finish()
                    unit = name
                    if let first = before.removeValue(forKey: name) { timeline.append(first) }
                }
                timeline.append(Self.observation(row))
            }
            finish()
            // Units whose last change is older than `from`: their timeline is the state in effect.
            for (name, first) in before.sorted(by: { $0.key < $1.key }) {
                if let result = transform(name, [first]) { results.append(result) }
            }
            return results
        }
    }
}
