import CoreMetrics
import MedicCore
import MedicEngine
import Prometheus

/// Turns `DaemonFigures` into Prometheus text exposition, through swift-prometheus's registry: the
/// per-unit series are set from the figures at each render, series of units that left are removed,
/// and the event metrics that swift-metrics recorded (corrections, bus events) come along from the
/// same registry. One render at a time, so that a scrape reads one moment.
public actor MetricsExposition {
    public let registry: PrometheusCollectorRegistry
    private var series: [String: UnitSeries] = [:]
    private var holds: [String: Prometheus.Gauge] = [:]
    private var version: Prometheus.Gauge?

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Makes swift-metrics record into this exposition's registry (once per process), with buckets
    /// that fit corrections (seconds to half an hour).
    public nonisolated func bootstrapMetricsSystem() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["medic_correction_duration_seconds"] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800].map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
    }

    /// The text a scrape returns; `up` is false for the last textfile written at a clean stop.
    public func render(_ figures: DaemonFigures, up: Bool = true) -> [UInt8] {
        setDaemonSeries(figures, up: up)
        for (name, unit) in figures.units {
            if series[name] == nil { series[name] = UnitSeries(unit: name, registry: registry) }
            series[name]?.set(unit, at: figures.now)
        }
        for name in series.keys where figures.units[name] == nil {
            series.removeValue(forKey: name)?.unregister(from: registry)
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 + series.count * 2048)
        registry.emit(into: &buffer)
        return buffer
    }

    private func setDaemonSeries(_ figures: DaemonFigures, up: Bool) {
        gauge("medic_up", "1 while medic run is running; 0 in the textfile left by a clean stop").set(to: up ? 1 : 0)
        if version == nil {
            version = registry.gauge("medic_build_info", labels: [("version", MedicVersion.current)], help: "Medic's version, as a label; always 1")
            version?.set(to: 1)
        }
        gauge("medic_start_time_seconds", "When medic run started, in seconds since the epoch").set(to: figures.startedAt)
        gauge("medic_heartbeat_timestamp_seconds", "When medic run last wrote its history and pinged the watchdog").set(to: figures.heartbeat ?? figures.startedAt)
        gauge("medic_watched_units", "Units medic run watches").set(to: Double(figures.watching))
        gauge("medic_slo_last_evaluation_timestamp_seconds", "When the SLO figures were last computed (every evaluation interval)").set(to: figures.sloEvaluatedAt ?? 0)
        let decisions = figures.decisions
        gauge("medic_corrections_running", "Corrections running now (acting or verifying)").set(to: Double(decisions?.running.count ?? 0))
        var counts: [String: Int] = ["mass-failure": decisions?.hold?.units.count ?? 0, "not-correcting": decisions?.notCorrecting.count ?? 0,
                                     "quarantined": figures.corrections?.quarantines.count ?? 0]
        counts["dependency"] = decisions?.dependencyFailures?.count ?? 0
        for (reason, count) in counts {
            if holds[reason] == nil {
                holds[reason] = registry.gauge("medic_holds", labels: [("reason", reason)],
                                                   help: "Units Medic holds back: in a mass-failure hold, failing and not corrected (medic explain says why), with a quarantined playbook, or failed on a required unit")
            }
            holds[reason]?.set(to: Double(count))
        }
    }

    private func gauge(_ name: String, _ help: String) -> Prometheus.Gauge {
        registry.gauge(name, help: help)
    }
}
