import MedicCore

/// What Medic learned per playbook and failure signature, as `medic stats` shows it.
public enum StatsPage {
    public static func body(_ document: StatsDocument) -> String {
        var html = "<h1>Learned statistics</h1><p class=\"muted\">Success is judged by its lower bound at \(NumberText.percent(document.credibility)) credibility; "
        html += "a playbook under \(NumberText.percent(document.floor)) after \(document.minAttempts) attempts is suppressed for that failure.</p>"
        guard !document.statistics.isEmpty else { return html + "<p class=\"muted\">Nothing learned yet: no real correction has ended.</p>" }
        html += "<table class=\"stats\"><thead><tr><th>Playbook</th><th>Signature</th><th>Attempts</th><th>Recovered</th><th>Rolled back</th><th>Success</th><th>At least</th><th>TTR p50</th><th>TTR p90</th><th>State</th></tr></thead><tbody>"
        for row in document.statistics {
            html += "<tr><td>\(HTMLText.escape(row.playbook))</td><td>\(HTMLText.escape(row.signature ?? row.unit ?? ""))</td><td>\(row.attempts)</td><td>\(row.successes)</td><td>\(row.rollbacks)</td>"
            html += "<td>\(row.successRate.map(NumberText.percent) ?? "-")</td><td>\(NumberText.percent(row.lowerBound))</td>"
            html += "<td>\(row.recoveryP50.map { FailureDescription.precise($0) } ?? "-")</td><td>\(row.recoveryP90.map { FailureDescription.precise($0) } ?? "-")</td>"
            html += "<td\(row.suppressed == true ? " class=\"firing\"" : "")>\(row.suppressed == true ? "suppressed" : "in use")</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
