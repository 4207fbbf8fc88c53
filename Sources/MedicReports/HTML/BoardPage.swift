import MedicCore
import MedicEngine

/// The board: every unit as a row coloured by health class (with symbol and word), its reason,
/// since when, budget left and alert level; counts per class; Medic's own state; a filter by health
/// and unit pattern that works without JavaScript.
public struct BoardPage: Sendable {
    /// What the board shows of the units: a health class and a unit pattern (both optional).
    public struct Filter: Sendable, Equatable {
        public var health: Health?
        public var pattern: UnitPattern?

        public init(health: Health? = nil, pattern: UnitPattern? = nil) {
            self.health = health
            self.pattern = pattern
        }

        func admits(_ unit: UnitReport) -> Bool {
            (health == nil || unit.health == health?.rawValue) && (pattern?.matches(unit.unit) ?? true)
        }
    }

    public var document: StatusDocument
    public var filter: Filter
    /// Links point at the dashboard's unit pages (served) or at the unit's section of the same file.
    public var linkUnit: @Sendable (String) -> String

    public init(document: StatusDocument, filter: Filter = Filter(), linkUnit: @escaping @Sendable (String) -> String = { "/units/" + HTMLText.urlComponent($0) }) {
        self.document = document
        self.filter = filter
        self.linkUnit = linkUnit
    }

    /// The board's HTML; `interactive` adds the filter form and the live activity list.
    public func body(interactive: Bool) -> String {
        var html = "<h1>Units</h1>" + counts() + daemonLine()
        if interactive { html += filterForm() }
        let shown = document.units.filter(filter.admits)
        html += "<table class=\"board\"><thead><tr><th>Health</th><th>Unit</th><th>Reason</th><th>Since</th><th>Budget left</th><th>Alert</th></tr></thead><tbody>"
        for unit in shown { html += row(unit) }
        html += "</tbody></table>"
        if shown.isEmpty { html += "<p class=\"muted\">No unit \(document.units.isEmpty ? "is watched yet" : "matches the filter").</p>" }
        if interactive { html += "<h2>Live activity</h2><ol id=\"activity\"></ol>" }
        return html
    }

    private func counts() -> String {
        let s = document.summary
        let figures: [(String, Int)] = [("failed", s.failed), ("degraded", s.degraded), ("unknown", s.unknown), ("healthy", s.healthy), ("idle", s.idle)]
        var html = "<div class=\"counts\">"
        for (health, count) in figures {
            html += "<span class=\"count\"><b data-count=\"\(health)\">\(count)</b>\(HealthStyle.badge(health))</span>"
        }
        let attention = s.failed + s.degraded
        html += "<span class=\"count\"><b>\(attention)</b> need attention of \(s.total)</span></div>"
        return html
    }

    private func daemonLine() -> String {
        guard let run = document.medicRun else {
            return "<p class=\"daemon\">medic run is not running with this state directory.</p>"
        }
        let state = run.state
        let d = state.decisions
        var parts = ["medic run (pid \(state.pid)): <span class=\"live-state\">\(run.running ? "running" : "not running")</span>"]
        parts.append("watching \(state.watching) units")
        parts.append("corrections running: " + (d.running.isEmpty ? "none" : d.running.map(HTMLText.escape).joined(separator: ", ")))
        if let hold = d.hold { parts.append("<span class=\"firing\">hold: \(HTMLText.escape(hold.reason))</span>") }
        if !d.notCorrecting.isEmpty { parts.append("not correcting \(d.notCorrecting.count)") }
        parts.append("heartbeat <time data-since=\"\(Int(state.heartbeat))\" title=\"\(Timestamp.rfc3339(seconds: state.heartbeat))\">\(Timestamp.rfc3339(seconds: state.heartbeat))</time>")
        parts.append("Medic \(HTMLText.escape(MedicVersion.current))")
        var html = "<p class=\"daemon\">" + parts.joined(separator: " · ") + "</p>"
        if let note = document.daemon { html += "<p class=\"firing\">\(HTMLText.escape(note))</p>" }
        return html
    }

    private func filterForm() -> String {
        var html = "<form class=\"filter\" method=\"get\" action=\"/\"><label>Health <select name=\"health\"><option value=\"\">any</option>"
        for health in Health.allCases {
            html += "<option value=\"\(health.rawValue)\"\(filter.health == health ? " selected" : "")>\(health.rawValue)</option>"
        }
        html += "</select></label> <label>Unit <input name=\"unit\" placeholder=\"web-*.service\" value=\"\(HTMLText.escape(filter.pattern?.text ?? ""))\"></label> <button type=\"submit\">Filter</button></form>"
        return html
    }

    private func row(_ unit: UnitReport) -> String {
        let name = HTMLText.escape(unit.unit)
        var html = "<tr class=\"unit h-\(HTMLText.escape(unit.health))\" data-unit=\"\(name)\" data-health=\"\(HTMLText.escape(unit.health))\">"
        html += "<td>\(HealthStyle.badge(unit.health))</td>"
        html += "<td><a href=\"\(HTMLText.escape(linkUnit(unit.unit)))\">\(name)</a>"
        if !unit.description.isEmpty { html += "<div class=\"muted\">\(HTMLText.escape(unit.description))</div>" }
        let probe = unit.probe.flatMap { unit.cause == "probe" ? nil : "; probe \($0.status)" } ?? ""
        html += "</td><td class=\"reason\">\(HTMLText.escape(unit.reason + probe))</td>"
        html += "<td>" + Self.since(unit) + "</td>"
        html += "<td class=\"budget-left\">\(unit.slo.map { NumberText.fixed($0.remainingPercent, digits: 0) + "%" } ?? "-")</td>"
        html += "<td class=\"alert-level\">\(unit.slo.map { HTMLText.escape("\($0.alertLevel) (\($0.state))") } ?? "-")</td></tr>"
        return html
    }

    static func since(_ unit: UnitReport) -> String {
        guard let seconds = unit.stateChangedSeconds, let text = unit.stateChangedAt else { return "<span class=\"muted\">-</span>" }
        return "<time data-since=\"\(Int(seconds))\" title=\"\(text)\">\(text)</time>"
    }
}
