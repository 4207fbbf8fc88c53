import MedicCore

/// How a health class or availability is shown: a CSS class whose colours come from the Okabe–Ito
/// palette (told apart with colour-blindness), and a symbol and the word, so colour is never the
/// only signal.
public enum HealthStyle {
    public static func symbol(_ health: String) -> String {
        switch health {
        case "healthy": return "✔"
        case "degraded": return "▲"
        case "failed": return "✖"
        case "idle": return "◌"
        default: return "?"
        }
    }

    /// A badge: `<span class="badge h-failed">✖ failed</span>`.
    public static func badge(_ health: String) -> String {
        let name = HTMLText.escape(health)
        return "<span class=\"badge h-\(name)\">\(symbol(health)) \(name)</span>"
    }

    /// The colour of an availability stretch in charts (also named in the chart's legend).
    public static func fill(_ availability: Availability) -> String {
        switch availability {
        case .good: return "#009E73"
        case .bad: return "#D55E00"
        case .excluded: return "#CCCCCC"
        case .unknown: return "#56B4E9"
        }
    }
}
