import Foundation
import GRDB
import MedicCore

extension MedicStore {
    /// Records the intent to correct a unit, before anything is changed; returns its id.
    public func openCorrection(_ intent: CorrectionIntent) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO correction (unit, playbook, reason, alternatives, dryRun, state, startedAt, signature, trigger, rank, journal)
                VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)
                """, arguments: [intent.unit, intent.playbook, intent.reason, intent.alternatives.joined(separator: "\n"), intent.dryRun,
                                 micros(intent.startedAt), intent.signature, intent.trigger, intent.rank, Self.encode(intent.journal)])
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

    /// Records a step as started, before its call is issued (with the property value it is about to
    /// replace), so that a crash between the call and its end leaves the step on record; returns the
    /// row to finish with `finishStep`.
    public func startStep(_ action: String, at time: Double, isRollback: Bool, captured: UInt64?, of correction: Int64) async throws -> Int64 {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO correctionStep (correctionID, action, startedAt, endedAt, outcome, error, isRollback, captured)
                VALUES (?, ?, ?, ?, 'started', NULL, ?, ?)
                """, arguments: [correction, action, micros(time), micros(time), isRollback, captured.map { Int64(bitPattern: $0) }])
            return db.lastInsertedRowID
        }
    }

    /// Records how a started step ended.
    public func finishStep(_ row: Int64, as step: StoredStep) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE correctionStep SET action = ?, endedAt = ?, outcome = ?, error = ?, captured = ? WHERE id = ?",
                           arguments: [step.action, micros(step.endedAt), step.outcome, step.error, step.captured.map { Int64(bitPattern: $0) }, row])
        }
    }

    /// Marks the steps of a correction that were in flight when Medic stopped (started, never ended).
    public func markInterruptedSteps(of correction: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE correctionStep SET outcome = 'interrupted' WHERE correctionID = ? AND outcome = 'started'", arguments: [correction])
        }
    }

    /// SQLite's own check of the database file: ["ok"] when it is sound.
    public func integrityCheck() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Closes a correction with its final state.
    public func closeCorrection(_ id: Int64, state: String, verification: String?, at time: Double, recoverySeconds: Double? = nil) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE correction SET state = ?, verification = ?, endedAt = ?, recoverySeconds = ? WHERE id = ?",
                           arguments: [state, verification, micros(time), recoverySeconds, id])
        }
    }

    /// Corrections, newest first, optionally of one unit; `openOnly` for those a crash left open.
    public func corrections(unit: String? = nil, openOnly: Bool = false, limit: Int = 100) async throws -> [StoredCorrection] {
        try await corrections(CorrectionFilter(openOnly: openOnly, limit: limit), exactUnit: unit)
    }

    /// Corrections matching `filter`, newest first.
    public func corrections(_ filter: CorrectionFilter, exactUnit: String? = nil) async throws -> [StoredCorrection] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let exactUnit { conditions.append("unit = ?"); arguments.append(exactUnit) }
            if let unit = filter.unit { conditions.append("unit GLOB ?"); arguments.append(unit) }
            if let playbook = filter.playbook { conditions.append("playbook = ?"); arguments.append(playbook) }
            if let since = filter.since { conditions.append("startedAt >= ?"); arguments.append(micros(since)) }
            if let outcome = filter.outcome { conditions.append("state = ?"); arguments.append(outcome) }
            if filter.openOnly { conditions.append("state = 'open'") }
            let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(filter.limit)
            let sql = "SELECT * FROM correction \(condition) ORDER BY id DESC LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.correction)
        }
    }

    /// One correction by its id.
    public func correction(id: Int64) async throws -> StoredCorrection? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM correction WHERE id = ?", arguments: [id]).map(Self.correction)
        }
    }

    /// Every ended correction, oldest first, as the learning needs them.
    public func pastCorrections() async throws -> [PastCorrection] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM correction WHERE state <> 'open' ORDER BY id").map { Self.correction($0).past }
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

    /// Forgets what was learned of a playbook: attempts started before `time` no longer count.
    public func resetStatistics(playbook: String, at time: Double) async throws {
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO statisticsReset (playbook, at) VALUES (?, ?)", arguments: [playbook, micros(time)])
        }
    }

    /// When each playbook's statistics were last reset.
    public func statisticsResets() async throws -> [String: Double] {
        try await read { db in
            var resets: [String: Double] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT playbook, at FROM statisticsReset") {
                resets[row["playbook"]] = Double(row["at"] as Int64) / 1_000_000
            }
            return resets
        }
    }

    /// Everything learned so far, as recorded.
    public func learnedStatistics() async throws -> LearnedStatistics {
        LearnedStatistics(history: try await pastCorrections(), resets: try await statisticsResets())
    }

    private static func correction(_ row: Row) -> StoredCorrection {
        let alternatives: String = row["alternatives"]
        let journal: String = row["journal"]
        let ended: Int64? = row["endedAt"]
        let intent = CorrectionIntent(
            unit: row["unit"], playbook: row["playbook"], reason: row["reason"],
            alternatives: alternatives.isEmpty ? [] : alternatives.components(separatedBy: "\n"), dryRun: row["dryRun"],
            startedAt: Double(row["startedAt"] as Int64) / 1_000_000, signature: row["signature"], trigger: row["trigger"],
            rank: row["rank"], journal: Self.decode(journal)
        )
        return StoredCorrection(id: row["id"], intent: intent, state: row["state"], endedAt: ended.map { Double($0) / 1_000_000 },
                                verification: row["verification"], recoverySeconds: row["recoverySeconds"])
    }

    /// Journal lines as a JSON array: messages may hold newlines of their own.
    private static func encode(_ lines: [String]) -> String {
        guard !lines.isEmpty, let data = try? JSONEncoder().encode(lines) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decode(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
    }
}
