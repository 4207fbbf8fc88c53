import MedicCore
import MedicStore

/// Recorded corrections: the list with its filters, and one correction in full (trigger, signature,
/// rank and alternatives, every step with its time and captured value, verification, rollback and
/// the journal lines recorded with it).
public enum CorrectionsPage {
    /// The list page's body; `filter` is shown in the form (works without JavaScript).
    public static func list(_ corrections: [StoredCorrection], filter: CorrectionFilter) -> String {
        var html = "<h1>Corrections</h1><form class=\"filter\" method=\"get\" action=\"/corrections\">"
        html += "<label>Unit <input name=\"unit\" value=\"\(HTMLText.escape(filter.unit ?? ""))\" placeholder=\"web-*.service\"></label> "
        html += "<label>Playbook <input name=\"playbook\" value=\"\(HTMLText.escape(filter.playbook ?? ""))\"></label> "
        html += "<label>Outcome <select name=\"outcome\"><option value=\"\">any</option>"
        for outcome in CorrectionOutcome.allCases {
            html += "<option value=\"\(outcome.rawValue)\"\(filter.outcome == outcome.rawValue ? " selected" : "")>\(outcome.rawValue)</option>"
        }
        html += "</select></label> <label>Since <input name=\"since\" placeholder=\"1d, 2026-01-31\" value=\"\(filter.since.map { Timestamp.rfc3339(seconds: $0) } ?? "")\"></label> <button type=\"submit\">Filter</button></form>"
        return html + table(corrections) { "/corrections/\($0)" }
    }

    /// The corrections as a table, newest first.
    public static func table(_ corrections: [StoredCorrection], link: (Int64) -> String?) -> String {
        guard !corrections.isEmpty else { return "<p class=\"muted\">No corrections recorded.</p>" }
        var html = "<table class=\"corrections\"><thead><tr><th>Id</th><th>Started</th><th>Unit</th><th>Playbook</th><th>Outcome</th><th>Recovered in</th><th>Signature</th></tr></thead><tbody>"
        for c in corrections {
            let id = link(c.id).map { "<a href=\"\(HTMLText.escape($0))\">#\(c.id)</a>" } ?? "#\(c.id)"
            html += "<tr class=\"correction\" data-id=\"\(c.id)\"><td>\(id)</td><td>\(Timestamp.rfc3339(seconds: c.startedAt))</td><td>\(HTMLText.escape(c.unit))</td>"
            html += "<td>\(HTMLText.escape(c.playbook))</td><td>\(HTMLText.escape(c.state))\(c.dryRun ? " (dry-run)" : "")</td>"
            html += "<td>\(c.recoverySeconds.map { FailureDescription.precise($0) } ?? "-")</td><td>\(HTMLText.escape(c.intent.signature.isEmpty ? "-" : c.intent.signature))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// One correction's page body.
    public static func detail(_ c: StoredCorrection, steps: [StoredStep], linkUnit: (String) -> String) -> String {
        var html = "<h1>Correction #\(c.id) of <a href=\"\(HTMLText.escape(linkUnit(c.unit)))\">\(HTMLText.escape(c.unit))</a>: \(HTMLText.escape(c.state))\(c.dryRun ? " (dry-run: nothing was changed)" : "")</h1>"
        html += "<dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("started", Timestamp.rfc3339(seconds: c.startedAt)),
            ("ended", c.endedAt.map { Timestamp.rfc3339(seconds: $0) } ?? "not yet (open)"),
            ("trigger", c.intent.trigger.isEmpty ? "-" : c.intent.trigger),
            ("signature", c.intent.signature.isEmpty ? "-" : c.intent.signature),
            ("playbook", "\(c.playbook) (choice \(c.intent.rank)): \(c.intent.reason)"),
            ("alternatives", c.intent.alternatives.isEmpty ? "none" : c.intent.alternatives.joined(separator: ", ")),
            ("verification", c.verification ?? "-"),
            ("recovered in", c.recoverySeconds.map { FailureDescription.precise($0) } ?? "-"),
        ]
        for (label, value) in facts { html += "<dt>\(label)</dt><dd>\(HTMLText.escape(value))</dd>" }
        html += "</dl><h2>Steps</h2>" + stepTable(steps.filter { !$0.isRollback }, empty: "none ran")
        html += "<h2>Rollback</h2>" + stepTable(steps.filter(\.isRollback), empty: "none")
        html += "<h2>Journal when it started</h2>"
        html += c.intent.journal.isEmpty ? "<p class=\"muted\">(none recorded)</p>" : "<pre class=\"journal\">\(c.intent.journal.map(HTMLText.escape).joined(separator: "\n"))</pre>"
        return html
    }

    private static func stepTable(_ steps: [StoredStep], empty: String) -> String {
        guard !steps.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
        var html = "<table class=\"steps\"><thead><tr><th>Started</th><th>Action</th><th>Outcome</th><th>Took</th><th>Captured</th><th>Error</th></tr></thead><tbody>"
        for step in steps {
            html += "<tr class=\"step\"><td>\(Timestamp.rfc3339(seconds: step.startedAt))</td><td>\(HTMLText.escape(step.action))</td><td>\(HTMLText.escape(step.outcome))</td>"
            html += "<td>\(FailureDescription.precise(max(0, step.endedAt - step.startedAt)))</td><td>\(step.captured.map(String.init) ?? "-")</td><td>\(HTMLText.escape(step.error ?? ""))</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
