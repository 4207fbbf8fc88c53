import MedicCore

/// Which alerts hold, from the daemon's figures: budgets as `medic slo` reports them, corrections
/// that did not heal their unit, quarantined playbooks and a mass-failure hold. Pure.
public enum AlertConditions {
    public static func from(_ figures: DaemonFigures, host: String) -> [AlertCondition] {
        var conditions: [AlertCondition] = []
        for (unit, unitFigures) in figures.units.sorted(by: { $0.key < $1.key }) {
            guard let report = unitFigures.slo, let condition = budget(report, unit: unit, host: host) else { continue }
            conditions.append(condition)
        }
        for (unit, correction) in (figures.corrections?.unresolved ?? [:]).sorted(by: { $0.key < $1.key }) {
            let escalated = correction.outcome == .escalated
            conditions.append(AlertCondition(
                labels: ["alertname": escalated ? "MedicCorrectionEscalated" : "MedicCorrectionFailed", "severity": escalated ? "page" : "ticket",
                         "host": host, "unit": unit, "playbook": correction.playbook],
                annotations: [
                    "summary": escalated ? "Medic escalated \(unit): its playbooks did not heal it" : "Medic's correction of \(unit) with \(correction.playbook) ended \(correction.outcome.rawValue)",
                    "description": correction.detail ?? correction.outcome.rawValue,
                    "correction": "#\(correction.id) (medic history show \(correction.id))",
                    "explain": "medic explain \(unit)",
                ]
            ))
        }
        for quarantine in figures.corrections?.quarantines ?? [] {
            conditions.append(AlertCondition(
                labels: ["alertname": "MedicPlaybookQuarantined", "severity": "ticket", "host": host, "unit": quarantine.unit, "playbook": quarantine.playbook],
                annotations: [
                    "summary": "\(quarantine.playbook) is quarantined for \(quarantine.unit): Medic does not repeat it until a person lifts it",
                    "description": "quarantined since \(Timestamp.rfc3339(seconds: quarantine.since)) after its attempts failed",
                    "explain": "medic explain \(quarantine.unit)",
                ]
            ))
        }
        if let hold = figures.decisions?.hold {
            conditions.append(AlertCondition(
                labels: ["alertname": "MedicMassFailureHold", "severity": "page", "host": host],
                annotations: [
                    "summary": "\(hold.units.count) units failed together: Medic holds back and corrects none of them",
                    "description": hold.reason,
                    "units": hold.units.prefix(50).joined(separator: ", ") + (hold.units.count > 50 ? ", …" : ""),
                    "explain": "medic status",
                ]
            ))
        }
        return conditions
    }

    /// A budget alert for a warning (P2, ticket), breached (P1, page) or exhausted (P1, page) budget.
    static func budget(_ report: SLOReport, unit: String, host: String) -> AlertCondition? {
        let name: String, severity: String
        switch report.state {
        case .ok: return nil
        case .warning: (name, severity) = ("MedicErrorBudgetBurn", "ticket")
        case .breached: (name, severity) = ("MedicErrorBudgetBurn", "page")
        case .exhausted: (name, severity) = ("MedicErrorBudgetExhausted", "page")
        }
        let objective = "\(NumberText.shortest((report.objective * 100_000).rounded() / 1000))%"
        let slo = "availability \(objective) / \(FailureDescription.window(report.window))"
        let firing = report.rules.filter(\.firing).map { "\($0.rule.label) (\(rate($0.longRate))x / \(rate($0.shortRate))x)" }
        let rates = report.burnRates.map { "\(FailureDescription.window($0.window))=\(rate($0.rate))x" }.joined(separator: " ")
        var annotations = [
            "summary": report.state == .exhausted
                ? "\(unit) has spent its whole error budget (\(slo))"
                : "\(unit) burns its error budget too fast: \(report.alertLevel), \(report.state.rawValue)",
            "description": "\(Int(report.remainingPercent.rounded()))% of the budget left" + (firing.isEmpty ? "" : "; firing: \(firing.joined(separator: ", "))"),
            "burn_rates": rates,
            "level": report.alertLevel,
            "explain": "medic explain \(unit)",
        ]
        if let exhaustion = report.timeToExhaustion, exhaustion > 0 { annotations["exhausted_in"] = FailureDescription.duration(exhaustion) }
        return AlertCondition(labels: ["alertname": name, "severity": severity, "host": host, "unit": unit, "slo": slo], annotations: annotations)
    }

    private static func rate(_ value: Double) -> String {
        NumberText.shortest((value * 10).rounded() / 10)
    }
}
