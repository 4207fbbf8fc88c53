/// What a running correction just did, as the dashboard's live feed tells it: started, a step (or a
/// rollback step) ended, or the correction ended with its outcome.
public struct CorrectionActivity: Sendable, Equatable {
    /// Which moment of the correction.
    public enum Event: String, Sendable {
        case started, step, ended
    }

    public var id: Int64
    public var unit: String
    public var playbook: String
    public var event: Event
    /// The step's action and outcome, or the correction's outcome and detail.
    public var detail: String?

    public init(id: Int64, unit: String, playbook: String, event: Event, detail: String?) {
        self.id = id
        self.unit = unit
        self.playbook = playbook
        self.event = event
        self.detail = detail
    }
}
