import MedicCore

/// The dashboard's charts as inline SVG (no script, no external image): a unit's availability over
/// its SLO window as one bar of coloured stretches, and its error budget burn-down.
public enum SVGCharts {
    /// Stretches of good, bad, unknown and excluded time between `from` and `to`; each stretch has a
    /// tooltip with its class and times.
    public static func availabilityBar(_ segments: [AvailabilityTimeline.Segment], from: Double, to: Double) -> String {
        let width = 1000.0, height = 36.0
        guard to > from else { return "" }
        var svg = "<svg class=\"chart availability\" viewBox=\"0 0 \(Int(width)) \(Int(height + 18))\" role=\"img\" aria-label=\"availability over the SLO window\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#f0f0f0\"><title>no data</title></rect>"
        for segment in segments where segment.end > from && segment.start < to {
            let start = max(from, segment.start), end = min(to, segment.end)
            let x = (start - from) / (to - from) * width
            // A short outage stays visible: at least one unit wide.
            let w = max(segment.availability == .bad ? 1 : 0.3, (end - start) / (to - from) * width)
            let label = "\(segment.availability.rawValue) \(Timestamp.rfc3339(seconds: start)) to \(Timestamp.rfc3339(seconds: end.isFinite ? end : to))"
            svg += "<rect class=\"\(segment.availability.rawValue)\" x=\"\(number(x))\" y=\"0\" width=\"\(number(w))\" height=\"\(Int(height))\" fill=\"\(HealthStyle.fill(segment.availability))\"><title>\(HTMLText.escape(label))</title></rect>"
        }
        svg += axisLabels(from: from, to: to, y: height + 14, width: width)
        return svg + "</svg>"
    }

    /// The budget left over the window (1 = untouched, 0 = exhausted: the objective is missed below
    /// it), with the even-spend line a burn rate of 1 would follow.
    public static func burnDown(_ burnDown: BudgetBurnDown, objective: Double) -> String {
        let width = 1000.0, height = 220.0, top = 12.0, bottom = 24.0, left = 44.0
        guard let first = burnDown.points.first, let last = burnDown.points.last else { return "" }
        let from = first.time, to = max(last.time, from + 1)
        let high = max(1, burnDown.points.map(\.remaining).max() ?? 1)
        let low = min(0, burnDown.points.map(\.remaining).min() ?? 0)
        let plot = height - top - bottom
        func x(_ t: Double) -> Double { left + (t - from) / (to - from) * (width - left - 8) }
        func y(_ r: Double) -> Double { top + (high - r) / (high - low) * plot }
        var svg = "<svg class=\"chart burn\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"error budget burn-down\">"
        for (value, label) in [(high, NumberText.percent(high)), (0.5, "50%"), (0, "0%")] where value <= high && value >= low {
            svg += "<line x1=\"\(number(left))\" x2=\"\(number(width - 8))\" y1=\"\(number(y(value)))\" y2=\"\(number(y(value)))\" stroke=\"#dddddd\"/>"
            svg += "<text x=\"2\" y=\"\(number(y(value) + 4))\">\(label)</text>"
        }
        // Exhausted below this line: the objective is missed.
        svg += "<line class=\"objective\" x1=\"\(number(left))\" x2=\"\(number(width - 8))\" y1=\"\(number(y(0)))\" y2=\"\(number(y(0)))\" stroke=\"#D55E00\" stroke-width=\"1.5\"/>"
        svg += "<text x=\"\(number(width - 300))\" y=\"\(number(y(0) - 4))\">objective \(HTMLText.escape(percentText(objective))): budget exhausted below</text>"
        // Even spending: a burn rate of 1 uses the whole budget by the end of the window.
        let window = burnDown.now - burnDown.windowStart
        if window > 0 {
            let startLeft = 1 - (from - burnDown.windowStart) / window
            svg += "<line class=\"even-spend\" x1=\"\(number(x(from)))\" y1=\"\(number(y(startLeft)))\" x2=\"\(number(x(to)))\" y2=\"\(number(y(0)))\" stroke=\"#999999\" stroke-dasharray=\"6 4\"><title>burn rate 1</title></line>"
        }
        let points = burnDown.points.map { "\(number(x($0.time))),\(number(y($0.remaining)))" }.joined(separator: " ")
        svg += "<polyline class=\"burn-line\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\" points=\"\(points)\"/>"
        svg += axisLabels(from: from, to: to, y: height - 6, width: width, left: left)
        return svg + "</svg>"
    }

    private static func axisLabels(from: Double, to: Double, y: Double, width: Double, left: Double = 0) -> String {
        "<text x=\"\(number(left))\" y=\"\(number(y))\">\(Timestamp.rfc3339(seconds: from))</text>"
            + "<text x=\"\(number(width - 175))\" y=\"\(number(y))\">\(Timestamp.rfc3339(seconds: to))</text>"
    }

    static func percentText(_ fraction: Double) -> String {
        NumberText.shortest((fraction * 100_000).rounded() / 1000) + "%"
    }

    private static func number(_ value: Double) -> String { NumberText.fixed(value, digits: 1) }
}
