import Foundation
import GRDB

extension MedicStore {
    /// Records the intent to correct a unit, before anything is changed; returns its id.
    public func openCorrection(unit: String, playbook: String, reason: String, alternatives: [String], dryRun: Bool, at time: Double) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO correction (unit, playbook, reason, alternatives, dryRun, state, startedAt)
                VALUES (?, ?, ?, ?, ?, 'open', ?)
                """, arguments: [unit, playbook, reason, alternatives.joined(separator: "\n"), dryRun, micros(time)])
            return db.lastInsertedRowID
        }
    }

    /// Appends a step to a correction's history.
    public func recordStep(_ step: StoredStep, of correction: Int64) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO correctionStep (correctionID, action, startedAt, endedAt, outcome, error, isRollback, captured)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [correction, step.action, micros(step.startedAt), micros(step.endedAt), step.outcome, step.error,
                                 step.isRollback, step.captured.map { Int64(bitPattern: $0) }])
        }
    }

    /// Closes a correction with its final state.
    public func closeCorrection(_ id: Int64, state: String, verification: String?, at time: Double) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE correction SET state = ?, verification = ?, endedAt = ? WHERE id = ?",
                           arguments: [state, verification, micros(time), id])
        }
    }

    /// Corrections, newest first, optionally of one unit; `openOnly` for those a crash left open.
    public func corrections(unit: String? = nil, openOnly: Bool = false, limit: Int = 100) async throws -> [StoredCorrection] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let unit { conditions.append("unit = ?"); arguments.append(unit) }
            if openOnly { conditions.append("state = 'open'") }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(limit)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM correction \(filter) ORDER BY id DESC LIMIT ?", arguments: StatementArguments(arguments))
            return rows.map { row in
                let alternatives: String = row["alternatives"]
                let ended: Int64? = row["endedAt"]
                return StoredCorrection(
                    id: row["id"], unit: row["unit"], playbook: row["playbook"], reason: row["reason"],
                    alternatives: alternatives.isEmpty ? [] : alternatives.components(separatedBy: "\n"),
                    dryRun: row["dryRun"], state: row["state"], startedAt: Double(row["startedAt"] as Int64) / 1_000_000,
                    endedAt: ended.map { Double($0) / 1_000_000 }, verification: row["verification"]
                )
            }
        }
    }

    /// A correction's steps, in the order they ran.
    public func steps(of correction: Int64) async throws -> [StoredStep] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM correctionStep WHERE correctionID = ? ORDER BY id", arguments: [correction]).map { row in
                let captured: Int64? = row["captured"]
                return StoredStep(
                    action: row["action"], startedAt: Double(row["startedAt"] as Int64) / 1_000_000,
                    endedAt: Double(row["endedAt"] as Int64) / 1_000_000, outcome: row["outcome"], error: row["error"],
                    isRollback: row["isRollback"], captured: captured.map { UInt64(bitPattern: $0) }
                )
            }
        }
    }
}
