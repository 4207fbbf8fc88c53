import MedicStore

extension StoredStep {
    /// The history row for a step the executor reports.
    public init(_ step: StepRecord) {
        self.init(action: step.action, startedAt: step.started, endedAt: step.ended, outcome: step.outcome, error: step.error, isRollback: step.isRollback, captured: step.captured)
    }
}
