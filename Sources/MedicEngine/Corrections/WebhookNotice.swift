import Foundation
import MedicCore

/// The JSON body a `notify: {webhook: URL}` step posts: self-describing, so that a receiver (a chat
/// bridge, a ticketing hook) needs nothing else to say what happened where.
struct WebhookNotice: Encodable, Sendable {
    var host: String
    var unit: String
    var playbook: String?
    var correctionId: Int64?
    /// `running` (a notify step within a correction), `escalated` (Medic gave up and tells a person)
    /// or `held` (a mass-failure hold: Medic acts on none of the units).
    var outcome: String
    var reason: String
    /// `page` for an escalation or a hold, `info` for a step within a correction.
    var severity: String
    var time: String
    var activeState: String
    var subState: String
    var result: String

    init(unit: UnitSnapshot, playbook: String?, correctionId: Int64?, outcome: String, reason: String, severity: String,
         host: String = HostName.current, now: Double = Date().timeIntervalSince1970) {
        self.host = host
        self.unit = unit.name
        self.playbook = playbook
        self.correctionId = correctionId
        self.outcome = outcome
        self.reason = reason
        self.severity = severity
        time = Timestamp.rfc3339(seconds: now)
        activeState = unit.activeState
        subState = unit.subState
        result = unit.result ?? ""
    }

    /// The notice for a correction's notify step: an escalation pages, a step within a correction informs.
    init(plan: CorrectionPlan, unit: UnitSnapshot, correctionId: Int64?) {
        let escalation = plan.playbook.notifiesOnly || plan.reason.hasPrefix("escalation")
        self.init(unit: unit, playbook: plan.playbook.name, correctionId: correctionId, outcome: escalation ? "escalated" : "running",
                  reason: plan.reason, severity: escalation ? "page" : "info")
    }
}
