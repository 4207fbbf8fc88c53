extension GuardState {
    /// The guard state of every (unit, playbook) as the recorded history leaves it, so that a restart
    /// of Medic (or a separate `medic heal`) does not reset cooldowns, backoffs and quarantines.
    /// - Parameter history: ended corrections, oldest first; those of unknown playbooks are skipped.
    /// - Returns: guard states by unit, then by playbook name.
    public static func rebuild(from history: [PastCorrection], playbooks: [Playbook]) -> [String: [String: GuardState]] {
        let rules = Dictionary(playbooks.map { ($0.name, $0.guardrails) }, uniquingKeysWith: { first, _ in first })
        let notifying = Set(playbooks.filter(\.notifiesOnly).map(\.name))
        var guards: [String: [String: GuardState]] = [:]
        // Abandoned and interrupted attempts say nothing about the playbook: they count nowhere.
        for correction in history where ![.open, .abandoned, .interrupted].contains(correction.outcome) {
            guard let rule = rules[correction.playbook] else { continue }
            var state = guards[correction.unit]?[correction.playbook] ?? GuardState()
            if correction.outcome == .escalated, notifying.contains(correction.playbook), let ended = correction.endedAt {
                // A playbook that only notifies is spaced by its cooldown, never quarantined.
                state.record(start: correction.startedAt, end: ended, succeeded: true, guard: rule)
            } else if correction.outcome == .escalated {
                state.markEscalated()
            } else if let ended = correction.endedAt {
                // A dry-run changes nothing and proves nothing: it spaces attempts but is no failure.
                state.record(start: correction.startedAt, end: ended, succeeded: correction.outcome == .recovered || correction.outcome == .dryRun, guard: rule)
            }
            guards[correction.unit, default: [:]][correction.playbook] = state
        }
        return guards
    }
}
