import MedicCore
import Testing

@Suite("Undoing a correction a crash interrupted")
struct InterruptedUndoTests {
    let steps: [PlaybookStep] = [.setProperty(name: "MemoryMax", value: .absolute(.bytes(512 << 20)), limit: nil), .restart]
    func row(_ outcome: String, _ action: String = "", rollback: Bool = false, captured: UInt64? = nil) -> InterruptedUndo.Row {
        InterruptedUndo.Row(action: action, outcome: outcome, isRollback: rollback, captured: captured)
    }

    @Test("killed during the forward steps: every step that may have changed the unit is undone with its recorded value")
    func forward() {
        let remaining = InterruptedUndo.remaining(steps, rows: [row("done", captured: 256 << 20), row("started")])
        #expect(remaining.map(\.0.undo) == [.restoreProperty("MemoryMax")])
        #expect(remaining.first?.1 == 256 << 20)
    }

    @Test("an undo recorded as done is not issued again")
    func undoneAlready() {
        #expect(InterruptedUndo.remaining(steps, rows: [row("done", captured: 1), row("done"), row("done", "restore MemoryMax", rollback: true)]).isEmpty)
    }

    @Test("an undo cut short (started, never ended) or failed is issued again: putting a value back twice is harmless, leaving it changed is not", arguments: ["started", "interrupted", "failed"])
    func undoCutShort(outcome: String) {
        let remaining = InterruptedUndo.remaining(steps, rows: [row("done", captured: 1), row("done"), row(outcome, "restore MemoryMax", rollback: true)])
        #expect(remaining.map(\.0.undo) == [.restoreProperty("MemoryMax")])
    }

    @Test("an operator's undo command that was started counts as issued (it may not be idempotent); one that failed is run again")
    func commands() {
        let steps: [PlaybookStep] = [.run(argv: ["/bin/true"], undo: ["/bin/false"], timeout: 5, user: nil)]
        #expect(InterruptedUndo.remaining(steps, rows: [row("done"), row("started", "run", rollback: true)]).isEmpty)
        #expect(InterruptedUndo.remaining(steps, rows: [row("done"), row("failed", "run", rollback: true)]).count == 1)
        // Failed once, then run by a recovery that was itself cut short: not run a third time.
        #expect(InterruptedUndo.remaining(steps, rows: [row("done"), row("failed", "run", rollback: true), row("interrupted", "run", rollback: true)]).isEmpty)
    }

    @Test("a recovery's own rows count: an undo cut short and then finished by a recovery is not issued again")
    func recoveryRows() {
        let rows = [row("done", captured: 1), row("done"), row("interrupted", "restore MemoryMax", rollback: true), row("done", "restore MemoryMax", rollback: true)]
        #expect(InterruptedUndo.remaining(steps, rows: rows).isEmpty)
    }

    @Test("undo rows follow the reverse order of the steps: the last step's undo comes first")
    func order() {
        let steps: [PlaybookStep] = [.setProperty(name: "MemoryMax", value: .absolute(.bytes(1)), limit: nil), .stop, .setProperty(name: "CPUQuota", value: .absolute(.percent(50)), limit: nil)]
        let rows = [row("done", captured: 10), row("done"), row("done", captured: 30), row("done", "restore CPUQuota", rollback: true), row("started", "start", rollback: true)]
        let remaining = InterruptedUndo.remaining(steps, rows: rows)
        // CPUQuota was put back; start (undoing stop) was cut short; MemoryMax not yet begun.
        #expect(remaining.map(\.0.undo) == [.restoreProperty("MemoryMax"), .step(.start)])
        #expect(remaining.map(\.1) == [10, nil])
    }
}
