import Logging
import MedicCore

/// Holds and re-decisions: the mass-failure hold said once, decisions not to act logged once per
/// change of reason, and units decided on again when a burst has settled or a correction ended.
extension CorrectionService {
    /// Decides on the unit again at `time` (once a new failure has settled).
    func recheck(_ name: String, at time: Double) {
        guard rechecks[name] == nil else { return }
        let delay = max(0, time - clock.now()) + 0.01
        rechecks[name] = Task {
            do { try await Task.sleep(for: .seconds(delay)) } catch { return }
            await self.rechecked(name)
        }
    }

    func rechecked(_ name: String) async {
        rechecks[name] = nil
        if let unit = latest[name], unit.verdict.health == .failed || unit.verdict.health == .degraded { await consider(unit) }
    }

    /// Says once that a mass-failure hold starts (a warning naming the units and the threshold, and the
    /// notify steps of the notification-only playbooks) or ends (and corrects what still needs it).
    func report(_ change: FailureBursts.Change) {
        switch change {
        case .started(let hold):
            logger.warning("mass-failure hold: \(hold.reason)", metadata: ["medic.hold.units": "\(hold.units.sorted().joined(separator: " "))"])
            notify(hold)
        case .ended(let hold, let recovered):
            let still = hold.units.subtracting(recovered)
            logger.notice("mass-failure hold ended: \(recovered.count) of its \(hold.units.count) units recovered\(still.isEmpty ? "" : "; correcting the \(still.count) still failing as usual (\(still.sorted().joined(separator: ", ")))")")
            for name in still {
                heldReason[name] = nil
                recheck(name, at: clock.now())
            }
        }
    }

    /// Runs the notify steps of the notification-only playbooks (escalate.yaml) once for a hold, with
    /// the held units' names in MEDIC_UNIT; not in dry-run.
    func notify(_ hold: FailureBursts.Hold) {
        let steps = planner.playbooks.filter(\.notifiesOnly).flatMap(\.steps)
        guard !steps.isEmpty else { return }
        if planner.dryRun {
            logger.notice("mass-failure hold: dry-run, no notification sent")
            return
        }
        let snapshot = UnitSnapshot(name: hold.units.sorted().joined(separator: " "))
        let logger = self.logger
        track(unit: "mass-failure hold \(hold.since)") {
            for step in steps {
                do {
                    switch step {
                    case .notify(.command(let argv)): try await CommandStep.run(argv, user: nil, timeout: 30, unit: snapshot)
                    case .notify(.webhook(let url)):
                        let notice = WebhookNotice(unit: snapshot, playbook: nil, correctionId: nil, outcome: "held", reason: hold.reason, severity: "page")
                        try await CommandStep.post(to: url, notice: notice)
                    default: continue
                    }
                } catch {
                    logger.error("mass-failure hold: a notification could not be delivered: \(error)")
                }
            }
        }
    }

    /// Logs once per unit per change of reason why a failing unit is not being corrected.
    func hold(_ unit: UnitHealth, _ reason: String) {
        guard unit.verdict.health == .failed || unit.verdict.health == .degraded, heldReason[unit.name] != reason else { return }
        heldReason[unit.name] = reason
        logger.notice("not correcting \(unit.name) (\(unit.verdict.health.rawValue)): \(reason)", metadata: ["unit.name": "\(unit.name)"])
    }
}
