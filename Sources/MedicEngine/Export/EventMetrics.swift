import CoreMetrics
import MedicCore

/// The event metrics of corrections and the bus, through swift-metrics: they go wherever the
/// executable bootstrapped the metrics system (Prometheus for `medic run` with metrics on), and
/// nowhere otherwise.
enum EventMetrics {
    /// A correction ended: `medic_corrections_total{playbook,outcome}` and
    /// `medic_correction_duration_seconds{playbook}`.
    static func finished(playbook: String, outcome: CorrectionOutcome, seconds: Double) {
        Counter(label: "medic_corrections_total", dimensions: [("playbook", playbook), ("outcome", outcome.rawValue)]).increment()
        Timer(label: "medic_correction_duration_seconds", dimensions: [("playbook", playbook)])
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// Signals read from systemd: `medic_bus_events_total`.
    static let busEvents = Counter(label: "medic_bus_events_total")
}
