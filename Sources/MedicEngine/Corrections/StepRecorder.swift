import Logging
import MedicStore
import Synchronization

/// Writes a correction's steps to the history as the executor reports them: each step as started
/// before its call is issued, then its end, so that a crash in between leaves the step on record for
/// recovery. Writes run in tasks of their own: a cancelled correction's records must not be refused.
public final class StepRecorder: Sendable {
    private let store: MedicStore
    private let correction: Int64
    private let logger: Logger?
    private let writes: HistoryWrites?
    /// The row of the step started and not yet ended.
    private let pending = Mutex<Int64?>(nil)

    /// With `writes`, a step the store refuses (a full disk) is kept and written once it can be.
    public init(store: MedicStore, correction: Int64, logger: Logger? = nil, writes: HistoryWrites? = nil) {
        self.store = store
        self.correction = correction
        self.logger = logger
        self.writes = writes
    }

    /// Hooks both ends of every step of `executor` to this recorder (keeping what it did already).
    public func attach(to executor: inout CorrectionExecutor) {
        let previous = executor.onStep
        executor.onStepStart = { [self] action, time, isRollback, captured in await started(action, at: time, isRollback: isRollback, captured: captured) }
        executor.onStep = { [self] step in
            await previous(step)
            await ended(step)
        }
    }

    public func started(_ action: String, at time: Double, isRollback: Bool, captured: UInt64?) async {
        let (store, correction) = (self.store, self.correction)
        do {
            let row = try await Task { try await store.startStep(action, at: time, isRollback: isRollback, captured: captured, of: correction) }.value
            pending.withLock { $0 = row }
        } catch {
            // Its end is then recorded as a whole row.
            if let writes { await writes.failed(error, doing: "recording a step") } else {
                logger?.error("cannot record a step of correction \(correction): \(error)")
            }
        }
    }

    public func ended(_ step: StepRecord) async {
        let (store, correction) = (self.store, self.correction)
        let row = pending.withLock { row -> Int64? in
            defer { row = nil }
            return row
        }
        let stored = StoredStep(step)
        let write: @Sendable () async throws -> Void = {
            if let row { try await store.finishStep(row, as: stored) } else { try await store.recordStep(stored, of: correction) }
        }
        if let writes {
            await writes.write("recording a step of correction #\(correction)", write)
            return
        }
        do {
            try await Task { try await write() }.value
        } catch {
            logger?.error("cannot record a step of correction \(correction): \(error)")
        }
    }
}
