import CoreMetrics
import MedicCore
import MedicEngine
import Prometheus

/// Turns `DaemonFigures` into Prometheus text exposition: the daemon's and every watched unit's
/// series, written from the figures of one moment (so a scrape reads one moment, and a unit that
/// left takes its series along), followed by the event metrics swift-metrics recorded into the
/// registry (corrections, their durations, bus events). Pure apart from reading that registry.
public struct MetricsExposition: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Makes swift-metrics record into this exposition's registry (once per process), with buckets
    /// that fit corrections (seconds to half an hour).
    public func bootstrapMetricsSystem() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["medic_correction_duration_seconds"] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800].map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
    }

    /// The text a scrape returns; `up` is false for the last textfile written at a clean stop.
    public func render(_ figures: DaemonFigures, up: Bool = true) -> [UInt8] {
        var text = ExpositionText(capacity: 1024 + figures.units.count * 1600)
        daemonSeries(figures, up: up, into: &text)
        unitSeries(figures.units, into: &text)
        registry.emit(into: &text.bytes)
        return text.bytes
    }

    private func daemonSeries(_ figures: DaemonFigures, up: Bool, into text: inout ExpositionText) {
        func gauge(_ name: String, _ help: String, _ value: Double) {
            text.family(name, "gauge", help)
            text.sample(name, value)
        }
        gauge("medic_up", "1 while medic run is running; 0 in the textfile left by a clean stop", up ? 1 : 0)
        text.family("medic_build_info", "gauge", "Medic's version, as a label; always 1")
        text.sample("medic_build_info", ExpositionText.label("version", MedicVersion.current), 1)
        gauge("medic_start_time_seconds", "When medic run started, in seconds since the epoch", figures.startedAt)
        gauge("medic_heartbeat_timestamp_seconds", "When medic run last wrote its history and pinged the watchdog", figures.heartbeat ?? figures.startedAt)
        gauge("medic_watched_units", "Units medic run watches", Double(figures.watching))
        gauge("medic_slo_last_evaluation_timestamp_seconds", "When the SLO figures were last computed (every evaluation interval); 0 before the first", figures.sloEvaluatedAt ?? 0)
        let decisions = figures.decisions
        gauge("medic_corrections_running", "Corrections running now (acting or verifying)", Double(decisions?.running.count ?? 0))
        text.family("medic_holds", "gauge",
                    "Units Medic holds back: in a mass-failure hold, failing and not corrected (medic explain says why), with a quarantined playbook, or failed on a required unit")
        let holds: [(String, Int)] = [
            ("mass-failure", decisions?.hold?.units.count ?? 0), ("not-correcting", decisions?.notCorrecting.count ?? 0),
            ("quarantined", figures.corrections?.quarantines.count ?? 0), ("dependency", decisions?.dependencyFailures?.count ?? 0),
        ]
        for (reason, count) in holds { text.sample("medic_holds", ExpositionText.label("reason", reason), Double(count)) }
    }

    /// One unit's figures with its label written once.
    private struct Row {
        var label: [UInt8]
        var health: Health?
        var restarts: UInt32?
        var totals: TimeTotals?
        var slo: SLOReport?
        var probe: ProbeState?
    }

    private static let probeLabels = [ProbeTracker.Status.passing, .failing, .pending, .paused].map { ($0, ExpositionText.label("status", $0.rawValue)) }

    private static let healthLabels = Health.allCases.map { ($0, ExpositionText.label("health", $0.rawValue)) }

    private func unitSeries(_ figures: [String: UnitFigures], into text: inout ExpositionText) {
        let rows = figures.keys.sorted().map { unit -> Row in
            let f = figures[unit]
            return Row(label: ExpositionText.label("unit", unit), health: f?.health?.verdict.health, restarts: f?.health?.snapshot.restartCount, totals: f?.totals, slo: f?.slo,
                       probe: f?.health?.snapshot.probe)
        }
        text.family("medic_unit_health", "gauge", "The unit's health class as a state set: 1 for the class it is in, 0 for the others")
        for row in rows {
            guard let health = row.health else { continue }
            for (state, label) in Self.healthLabels { text.sample("medic_unit_health", row.label, label, state == health ? 1 : 0) }
        }
        let seconds: [(String, String, KeyPath<TimeTotals, Double>)] = [
            ("medic_unit_good_seconds_total", "Seconds the unit was up (good time for its availability SLO) since Medic started", \.good),
            ("medic_unit_bad_seconds_total", "Seconds the unit was down or impaired (bad time, consuming error budget) since Medic started", \.bad),
            ("medic_unit_unknown_seconds_total", "Seconds Medic could not see the unit since it started", \.unknown),
            ("medic_unit_excluded_seconds_total", "Seconds the unit was stopped or idle by design (neither good nor bad) since Medic started", \.excluded),
        ]
        for (name, help, field) in seconds {
            text.family(name, "counter", help)
            for row in rows { if let totals = row.totals { text.sample(name, row.label, totals[keyPath: field]) } }
        }
        text.family("medic_unit_probe_status", "gauge", "A probed unit's active probe as a state set: passing, failing, pending (too few results yet) or paused (the unit does not serve)")
        for row in rows {
            guard let probe = row.probe else { continue }
            for (status, label) in Self.probeLabels { text.sample("medic_unit_probe_status", row.label, label, status == probe.status ? 1 : 0) }
        }
        text.family("medic_unit_restarts_total", "counter", "Automatic restarts of the unit by systemd (NRestarts; starts over when systemd resets it)")
        for row in rows { if let restarts = row.restarts { text.sample("medic_unit_restarts_total", row.label, Double(restarts)) } }
        let reports = rows.compactMap { row in row.slo.map { (row.label, $0) } }
        text.family("medic_slo_objective_ratio", "gauge", "The unit's availability objective as a ratio (0.999 for 99.9 %)")
        for (label, report) in reports { text.sample("medic_slo_objective_ratio", label, report.objective) }
        text.family("medic_slo_error_budget_remaining_ratio", "gauge", "Error budget left over the SLO window as a ratio of the budget (negative once overspent)")
        for (label, report) in reports { text.sample("medic_slo_error_budget_remaining_ratio", label, report.remainingPercent / 100) }
        text.family("medic_slo_burn_rate", "gauge", "How fast the error budget burns over the window: 1 spends exactly the budget over the SLO window")
        var windowLabels: [Double: [UInt8]] = [:]
        for (label, report) in reports {
            // A window without data has no rate (absent, not 0).
            for rate in report.burnRates where rate.hasData {
                let window = windowLabels[rate.window] ?? ExpositionText.label("window", FailureDescription.window(rate.window))
                windowLabels[rate.window] = window
                text.sample("medic_slo_burn_rate", label, window, rate.rate)
            }
        }
        // The level stands for the state too (P1: breached or exhausted, P2: warning, P3: ok); exhausted
        // is remaining <= 0. A state set would cost four more series per unit.
        text.family("medic_slo_alert_level", "gauge", "The budget's alert level as medic slo reports it: 1 = P1 (page: breached or exhausted), 2 = P2 (ticket: warning), 3 = P3 (informational: ok)")
        for (label, report) in reports { text.sample("medic_slo_alert_level", label, Double(report.alertLevel.dropFirst()) ?? 3) }
    }
}
