/// The words history keeps for what set a correction off: the playbook's trigger, the budget state,
/// the budget left and the burn rates at that moment. Pure.
public enum TriggerDescription {
    /// - Parameters:
    ///   - manual: an operator asked for it (`medic heal`).
    ///   - report: the unit's SLO figures at the time, when known.
    public static func describe(_ trigger: Playbook.Trigger, manual: Bool, report: SLOReport?) -> String {
        let text = manual ? "manual (medic heal)" : trigger.rawValue
        guard let report else { return manual ? text : text + "; no SLO figures yet" }
        return text + "; " + budget(report)
    }

    /// The budget state, what is left of it and the burn rates: "budget breached (page), 12 % left; burn rate 5m 14.4x, 1h 3.0x".
    public static func budget(_ report: SLOReport) -> String {
        var text = "budget \(report.state.rawValue) (\(report.alertLevel)), \(percent(report.remainingPercent)) left"
        if !report.burnRates.isEmpty {
            text += "; burn rate " + report.burnRates.map { "\(FailureDescription.window($0.window)) \(rate($0.rate))x" }.joined(separator: ", ")
        }
        return text
    }

    static func percent(_ value: Double) -> String { "\(Int(value.rounded())) %" }

    /// One decimal: 14.4, 0.0.
    static func rate(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
