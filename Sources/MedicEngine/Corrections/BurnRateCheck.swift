import MedicCore

/// The optional second half of verification: the unit's fastest burn rate (over the shortest window
/// of its SLO's rules) must fall below a threshold before the deadline. It reads the recorded
/// timeline, which the recorder writes every heartbeat, so it looks again once a second.
enum BurnRateCheck {
    static func wait(unit: String, below threshold: Double, until deadline: Double, query: SLOQuery, clock: WallClock, healthy: String) async -> (Bool, String) {
        var last = "no SLO figures yet"
        guard let pattern = try? UnitPattern(unit) else { return (false, "invalid unit name \(unit)") }
        while true {
            let now = clock.now()
            if let report = try? await query.reports(now: now, knownUntil: now, patterns: [pattern]).first?.report,
               let fastest = report.burnRates.min(by: { $0.window < $1.window }) {
                last = "burn rate \((fastest.rate * 100).rounded() / 100) over \(FailureDescription.window(fastest.window))"
                if fastest.rate < threshold { return (true, "\(healthy); \(last), under \(threshold)") }
            }
            if clock.now() >= deadline { return (false, "\(healthy), but \(last) did not fall under \(threshold) in time") }
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return (false, "cancelled") }
        }
    }
}
