import Logging
import MedicCore
import MedicStore
import SystemdBus

/// Recovery: corrections a crash (or a shutdown that could not wait) left open are finished from
/// their record, once, when Medic starts again.
extension CorrectionService {
    /// The watcher's snapshot is complete: corrections a crash left open on units Medic did not see
    /// in it are resolved from the unit as the manager reports it, so none keeps a slot for ever.
    public func snapshotComplete() async {
        let first = !snapshotSeen
        snapshotSeen = true
        if first {
            for unit in latest.values.sorted(by: { $0.name < $1.name }) where unit.verdict.health == .failed || unit.verdict.health == .degraded {
                await consider(unit)
            }
        }
        for (name, open) in interrupted {
            interrupted[name] = nil
            let snapshot: UnitSnapshot?
            do {
                snapshot = try await BusUnitActions(runner: try await actionsRunner()).snapshot(of: name)
            } catch {
                interrupted[name] = open  // the bus is away: try again with the next snapshot
                continue
            }
            guard let snapshot else {
                running.remove(name)
                await close(open.id, state: CorrectionOutcome.abandoned.rawValue, detail: "Medic stopped during the correction, and \(name) no longer exists")
                logger.notice("interrupted correction #\(open.id) of \(name) with \(open.playbook): abandoned (the unit no longer exists)",
                              metadata: ["unit.name": "\(name)", "medic.correction-id": "\(open.id)"])
                continue
            }
            let now = clock.now()
            let unit = UnitHealth(snapshot: snapshot, verdict: HealthClassifier().classify(snapshot, now: now))
            track(unit: name) { await self.resume(open, unit: unit) }
        }
    }

    /// Finishes a correction Medic was killed in the middle of: if the unit is healthy, verification is
    /// completed; otherwise (or if it does not verify) the recorded steps are undone, using the values
    /// recorded before each change. It is closed once, as recovered or rolled-back.
    func resume(_ open: StoredCorrection, unit: UnitHealth) async {
        defer { running.remove(open.unit) }
        do {
            let steps = try await store.steps(of: open.id)
            guard let playbook = planner.playbooks.first(where: { $0.name == open.playbook }) else {
                await close(open.id, state: CorrectionOutcome.abandoned.rawValue, detail: "Medic stopped during the correction, and playbook \(open.playbook) is no longer loaded, so its steps cannot be finished or undone")
                logger.warning("interrupted correction #\(open.id) of \(open.unit) with \(open.playbook): abandoned (the playbook is no longer loaded; its recorded steps stay as they are)",
                               metadata: ["unit.name": "\(open.unit)", "medic.playbook": "\(open.playbook)", "medic.correction-id": "\(open.id)"])
                return
            }
            if playbook.notifiesOnly || open.intent.reason.hasPrefix("escalation:") {
                await close(open.id, state: CorrectionOutcome.escalated.rawValue, detail: "Medic stopped while sending the escalation; it is not sent again")
                logger.notice("interrupted escalation #\(open.id) of \(open.unit) with \(playbook.name): escalated", metadata: ["unit.name": "\(open.unit)", "medic.correction-id": "\(open.id)"])
                return
            }
            // Every step is recorded as started before its call and again when it ends, in order: the
            // forward rows are a prefix of the playbook's steps. A step in flight (started, never ended)
            // may have changed the unit, so it is undone like a done one, and never issued again.
            // An undo an earlier rollback or recovery finished is not issued again; one cut short is,
            // when issuing it twice is harmless (see `InterruptedUndo`).
            try await store.markInterruptedSteps(of: open.id)
            let rows = steps.map { InterruptedUndo.Row(action: $0.action, outcome: $0.outcome, isRollback: $0.isRollback, captured: $0.captured) }
            let executed = InterruptedUndo.executed(playbook.steps, rows: rows)
            let remaining = InterruptedUndo.remaining(playbook.steps, rows: rows)
            let runner = try await actionsRunner()
            let verifier = HealthVerifier(address: address, clock: clock, logger: logger)
            var executor = CorrectionExecutor(actions: BusUnitActions(runner: runner), clock: clock) { _ in (false, "") }
            StepRecorder(store: store, correction: open.id, logger: logger).attach(to: &executor)
            var outcome = CorrectionOutcome.interrupted
            var detail = "Medic stopped during the correction; "
            if unit.verdict.health == .healthy && !executed.isEmpty {
                let (verified, verification) = await verifier.verify(VerificationRequest(unit: open.unit, healthyFor: playbook.verify.healthyFor, within: playbook.verify.within, stepsBegan: open.startedAt))
                detail += verification
                if verified { outcome = .recovered }
            } else {
                detail += "the unit was \(unit.verdict.health.rawValue) (\(unit.verdict.reason)) when Medic started again"
            }
            if outcome != .recovered {
                if playbook.rollback == .automatic && !remaining.isEmpty {
                    _ = await executor.rollback(remaining, unit: open.unit, snapshot: unit.snapshot)
                    detail += "; what it had changed was undone"
                } else if playbook.rollback != .automatic {
                    detail += "; nothing was undone (rollback: none)"
                }
            }
            let ended = clock.now()
            await close(open.id, state: outcome.rawValue, detail: detail, at: ended)
            // A crash of Medic says nothing about the playbook: only a verified recovery counts.
            if outcome == .recovered {
                statistics.record(PastCorrection(unit: open.unit, playbook: open.playbook, signature: open.intent.signature, outcome: outcome,
                                                 startedAt: open.startedAt, endedAt: ended))
                var guardState = guards[open.unit]?[playbook.name] ?? GuardState()
                guardState.record(start: open.startedAt, end: ended, succeeded: true, guard: playbook.guardrails)
                guards[open.unit, default: [:]][playbook.name] = guardState
            }
            logger.notice("interrupted correction #\(open.id) of \(open.unit) with \(playbook.name): \(outcome.rawValue)",
                          metadata: ["unit.name": "\(open.unit)", "medic.playbook": "\(playbook.name)", "medic.correction-id": "\(open.id)"])
        } catch {
            logger.error("cannot resolve interrupted correction #\(open.id) of \(open.unit): \(error)")
        }
    }
}
