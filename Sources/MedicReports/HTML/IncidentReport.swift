import MedicCore
import MedicStore

/// `medic report --html`: one self-contained HTML file (style inline, no script, no external
/// resource) with the board at one moment, each unit's budget and availability charts, and the
/// corrections of the period: something to attach to an incident ticket.
public struct IncidentReport: Sendable {
    public var document: StatusDocument
    public var units: [UnitPage]
    public var corrections: [StoredCorrection]
    public var since: Double
    public var generatedAt: Double
    public var host: String

    public init(document: StatusDocument, units: [UnitPage], corrections: [StoredCorrection], since: Double, generatedAt: Double, host: String) {
        self.document = document
        self.units = units
        self.corrections = corrections
        self.since = since
        self.generatedAt = generatedAt
        self.host = host
    }

    public func html() -> String {
        var body = "<p class=\"muted\">Report of \(HTMLText.escape(host)) generated at \(Timestamp.rfc3339(seconds: generatedAt)); corrections since \(Timestamp.rfc3339(seconds: since)).</p>"
        let board = BoardPage(document: document) { "#unit-" + HTMLText.urlComponent($0) }
        body += board.body(interactive: false)
        body += "<h1>Corrections in the period</h1>" + CorrectionsPage.table(corrections) { _ in nil }
        for unit in units {
            var page = unit
            page.linkCorrection = { _ in nil }
            body += page.body(heading: 2)
        }
        return HTMLPage(title: "Report", host: host, delivery: .standalone).render(body)
    }
}
