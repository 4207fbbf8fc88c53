import MedicCore
import MedicStore

/// One unit in full: its verdict, availability over the SLO window, the budget burn-down with the
/// objective, burn rates per window against their alert thresholds, restarts, its last journal
/// lines, what `explain` says, and its corrections. Also one section of a report file.
public struct UnitPage: Sendable {
    public var unit: UnitReport
    public var history: UnitBudgetHistory
    public var journal: [String]?
    /// `medic explain`'s lines; nil where not asked (a report file).
    public var explanation: [String]?
    public var corrections: [StoredCorrection]
    public var linkCorrection: @Sendable (Int64) -> String?

    public init(unit: UnitReport, history: UnitBudgetHistory, journal: [String]?, explanation: [String]?, corrections: [StoredCorrection],
                linkCorrection: @escaping @Sendable (Int64) -> String? = { "/corrections/\($0)" }) {
        self.unit = unit
        self.history = history
        self.journal = journal
        self.explanation = explanation
        self.corrections = corrections
        self.linkCorrection = linkCorrection
    }

    /// `heading` is the level of the unit's title (1 on its page, 2 in a report).
    public func body(heading: Int = 1) -> String {
        let h = "h\(heading)", sub = "h\(heading + 1)"
        let name = HTMLText.escape(unit.unit)
        var html = "<section class=\"unit-page\" id=\"unit-\(HTMLText.urlComponent(unit.unit))\" data-unit=\"\(name)\" data-health=\"\(HTMLText.escape(unit.health))\">"
        html += "<\(h)>\(HealthStyle.badge(unit.health)) \(name)</\(h)>"
        html += "<dl class=\"facts\"><dt>reason</dt><dd class=\"reason\">\(HTMLText.escape(unit.reason))</dd>"
        html += "<dt>since</dt><dd>\(BoardPage.since(unit))</dd>"
        if let probe = unit.probe {
            html += "<dt>probe</dt><dd class=\"probe\">\(HTMLText.escape("\(probe.status) (\(probe.probe)\(probe.lastResult.map { ": \($0)" } ?? ""))"))</dd>"
        }
        html += "<dt>description</dt><dd>\(HTMLText.escape(unit.description))</dd>"
        html += "<dt>systemd</dt><dd>\(HTMLText.escape("\(unit.loadState) \(unit.activeState)/\(unit.subState)\(unit.result.map { ", result \($0)" } ?? "")"))</dd>"
        html += "<dt>restarts</dt><dd>\(unit.restarts.map(String.init) ?? "-")</dd></dl>"
        html += "<\(sub)>Error budget</\(sub)>" + budget()
        if let journal {
            html += "<\(sub)>Last journal lines</\(sub)>"
            html += journal.isEmpty ? "<p class=\"muted\">(none)</p>" : "<pre class=\"journal\">\(journal.map(HTMLText.escape).joined(separator: "\n"))</pre>"
        }
        if let explanation {
            html += "<\(sub)>What Medic would do (explain)</\(sub)><pre class=\"explain\">\(explanation.map(HTMLText.escape).joined(separator: "\n"))</pre>"
        }
        html += "<\(sub)>Corrections</\(sub)>" + CorrectionsPage.table(corrections, link: linkCorrection)
        return html + "</section>"
    }

    private func budget() -> String {
        guard let slo = history.report else { return "<p class=\"muted\">No history yet: medic run keeps it.</p>" }
        var html = "<p>Objective \(SVGCharts.percentText(slo.objective)) over \(FailureDescription.window(slo.window)); "
        html += "SLI \(slo.sli.map { SVGCharts.percentText($0) } ?? "no data"); "
        html += "budget left <b class=\"budget-left\">\(NumberText.fixed(slo.remainingPercent, digits: 0))%</b> (\(FailureDescription.duration(max(0, slo.remainingSeconds))) of \(FailureDescription.duration(slo.budgetSeconds))); "
        html += "<span class=\"alert-level\">\(HTMLText.escape("\(slo.alertLevel) (\(slo.state.rawValue))"))</span>"
        if !slo.windowFilled { html += "; window not full: \(FailureDescription.duration(slo.observedSeconds)) observed" }
        html += ".</p>"
        if let burnDown = history.burnDown {
            html += "<p class=\"legend\"><span><i class=\"good\"></i>good</span><span><i class=\"bad\"></i>bad</span><span><i class=\"unknown\"></i>unknown (Medic not watching)</span><span><i class=\"excluded\"></i>excluded</span></p>"
            html += SVGCharts.availabilityBar(history.segments, from: burnDown.windowStart, to: burnDown.now)
            html += SVGCharts.burnDown(burnDown, objective: slo.objective)
        }
        html += "<table class=\"burn-rates\"><thead><tr><th>Alert</th><th>Severity</th><th>Long window</th><th>Short window</th><th>Threshold</th><th>State</th></tr></thead><tbody>"
        for rule in slo.rules {
            html += "<tr><td>\(HTMLText.escape(rule.rule.label))</td><td>\(rule.rule.severity.rawValue)</td>"
            html += "<td>\(FailureDescription.window(rule.rule.longWindow)): \(NumberText.fixed(rule.longRate, digits: 2))</td>"
            html += "<td>\(FailureDescription.window(rule.rule.shortWindow)): \(NumberText.fixed(rule.shortRate, digits: 2))</td>"
            html += "<td>\(NumberText.shortest(rule.rule.threshold))</td><td\(rule.firing ? " class=\"firing\"" : "")>\(rule.firing ? "firing" : "quiet")</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
