import Foundation
import MedicCore
import MedicEngine
import MedicHTTP

/// The in-process cost of turning the daemon's figures for `units` healthy units (with SLO reports
/// under the workbook's rules) into the Prometheus text of one scrape: no bus, no HTTP.
enum RenderBench {
    static func run(units: Int, renders: Int = 20) async -> (milliseconds: Double, bytes: Int) {
        let now = Date().timeIntervalSince1970
        let observations = [StateObservation(time: now - 86_400, activeState: "active", subState: "running", health: .healthy)]
        let report = SLOEvaluator.evaluate(AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy()), spec: .standard, now: now)
        var figures: [String: UnitFigures] = [:]
        for index in 0..<units {
            var snapshot = UnitSnapshot(name: "render-\(index).service")
            snapshot.restartCount = 0
            figures[snapshot.name] = UnitFigures(health: UnitHealth(snapshot: snapshot, verdict: HealthVerdict(.healthy, "running")),
                                                 totals: TimeTotals(good: 86_400), slo: report)
        }
        let exposition = MetricsExposition()
        var daemon = DaemonFigures(now: now, startedAt: now - 86_400, heartbeat: now, units: figures, watching: units, sloEvaluatedAt: now, decisions: nil, corrections: nil)
        var bytes = exposition.render(daemon).count
        let started = ContinuousClock.now
        for index in 0..<renders {
            daemon.now = now + Double(index)
            bytes = exposition.render(daemon).count
        }
        return ((ContinuousClock.now - started) / .milliseconds(1) / Double(renders), bytes)
    }
}
