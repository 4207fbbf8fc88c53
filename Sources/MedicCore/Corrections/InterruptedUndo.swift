/// What is left to undo of a correction Medic was killed in the middle of, from the rows it recorded
/// (each step recorded as started before its call, and again when it ended). Pure.
///
/// Forward steps that may have changed the unit (done, or started and never ended) are undone in
/// reverse order. Undo rows are matched to steps by their action (`restore MemoryMax`, `start`), since
/// a rollback and each later recovery record rows of their own. An undo recorded as done is not issued
/// again. One that was started and never ended, or failed, is issued again when that is harmless
/// (putting a property back to its recorded value, starting or stopping the unit): leaving the change
/// in place would be the harm. An operator's undo command (`run`) may not be idempotent, so one that
/// was started counts as issued.
public enum InterruptedUndo {
    /// One recorded row, as the store keeps it.
    public struct Row: Sendable, Equatable {
        public var action: String
        public var outcome: String
        public var isRollback: Bool
        public var captured: UInt64?

        public init(action: String, outcome: String, isRollback: Bool, captured: UInt64? = nil) {
            self.action = action
            self.outcome = outcome
            self.isRollback = isRollback
            self.captured = captured
        }
    }

    /// The forward steps that may have changed the unit, with the value captured before each.
    public static func executed(_ steps: [PlaybookStep], rows: [Row]) -> [(PlannedStep, UInt64?)] {
        let forward = rows.filter { !$0.isRollback }
        return zip(steps, forward).filter { ["done", "started", "interrupted"].contains($0.1.outcome) }.map { (PlannedStep($0.0), $0.1.captured) }
    }

    /// The executed steps whose undo is still to be issued, in the order `CorrectionExecutor.rollback`
    /// takes them (it undoes the last first).
    public static func remaining(_ steps: [PlaybookStep], rows: [Row]) -> [(PlannedStep, UInt64?)] {
        let undoable = Array(executed(steps, rows: rows).reversed().filter { $0.0.undo != .nothing })
        let undoRows = rows.filter(\.isRollback)
        var left: [(PlannedStep, UInt64?)] = []
        for step in undoable {
            let outcomes = undoRows.filter { $0.action == undoAction(step.0.undo) }.map(\.outcome)
            let issued = outcomes.contains("done") || (!isIdempotent(step.0.undo) && outcomes.contains { $0 != "failed" })
            if !issued { left.append(step) }
        }
        return left.reversed()
    }

    /// The action an undo is recorded under (as `CorrectionExecutor` records it).
    static func undoAction(_ undo: PlannedStep.Undo) -> String {
        switch undo {
        case .nothing: return ""
        case .restoreProperty(let name): return "restore \(name)"
        case .step(let step): return step.action
        }
    }

    private static func isIdempotent(_ undo: PlannedStep.Undo) -> Bool {
        switch undo {
        case .nothing, .restoreProperty: return true
        case .step(let step):
            if case .run = step { return false }
            return true
        }
    }
}
