/// A unit that failed because a unit it requires failed is healed at its root: while Medic corrects
/// the root (or will), the dependent waits, and the root's correction starts it once recovered. Pure.
public enum DependencyRoot {
    /// Why `dependent` waits for its failed dependency `root`; nil when Medic will not heal `root`
    /// itself (not watched, not failed, or no playbook treats it), so that the dependent's own
    /// playbooks start it (which starts `root` in the same transaction).
    /// - Parameters:
    ///   - rootHealth: the root as Medic sees it (nil when not watched).
    ///   - rootCorrecting: a correction of the root is running.
    public static func reasonToWait(dependent: String, root: String, rootHealth: UnitHealth?, rootCorrecting: Bool, planner: CorrectionPlanner) -> String? {
        if planner.protection.isProtected(root) {
            return "its dependency \(root) failed and is protected: Medic does not start it, not even by starting \(dependent)"
        }
        if rootCorrecting {
            return "its dependency \(root) is being corrected; \(dependent) is started as part of that correction once it has recovered"
        }
        guard let rootHealth, rootHealth.verdict.health == .failed,
              planner.playbooks.contains(where: { $0.match.matchesIgnoringJournal(rootHealth) }) else { return nil }
        return "its dependency \(root) failed: Medic corrects that first, and starts \(dependent) as part of that correction once it has recovered"
    }
}
