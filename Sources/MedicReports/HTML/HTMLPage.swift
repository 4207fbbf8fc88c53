import MedicEngine

/// The frame every page shares: title, navigation, and either links to the dashboard's own style
/// sheet and script (served) or the style sheet inline with scripts forbidden (a report file).
public struct HTMLPage: Sendable {
    /// How the page reaches its style and script.
    public enum Delivery: Sendable, Equatable {
        /// Served by `medic run`: `/assets/medic.css` and `/assets/medic.js`; `live` is the URL of
        /// the event stream the script follows (nil: no live updates on this page).
        case served(live: String?)
        /// One self-contained file: style inline, no script at all (its own CSP says so).
        case standalone
    }

    public var title: String
    public var host: String
    public var delivery: Delivery

    public init(title: String, host: String, delivery: Delivery) {
        self.title = title
        self.host = host
        self.delivery = delivery
    }

    /// `body` is HTML already escaped by its maker.
    public func render(_ body: String, refresh: Bool = false) -> String {
        var head = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        head += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        head += "<title>\(HTMLText.escape(title)) · Medic on \(HTMLText.escape(host))</title>"
        var bodyAttributes = ""
        switch delivery {
        case .served(let live):
            head += "<link rel=\"stylesheet\" href=\"/assets/medic.css\"><script src=\"/assets/medic.js\" defer></script>"
            // Without JavaScript the board still follows: it reloads itself.
            if refresh { head += "<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>" }
            if let live { bodyAttributes = " data-live=\"\(HTMLText.escape(live))\"" }
        case .standalone:
            head += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            head += "<style>\(DashboardAssets.css)</style>"
        }
        head += "</head>"
        var nav = "<header><span class=\"brand\">Medic</span> <span class=\"host\">\(HTMLText.escape(host))</span>"
        if delivery != .standalone {
            nav += "<nav><a href=\"/\">Board</a> <a href=\"/corrections\">Corrections</a> <a href=\"/stats\">Learned</a> <a href=\"/api/v1/status\">API</a></nav>"
        }
        nav += "</header>"
        return head + "<body\(bodyAttributes)>" + nav + "<main>" + body + "</main><footer>Medic \(HTMLText.escape(MedicVersion.current))</footer></body></html>\n"
    }
}
