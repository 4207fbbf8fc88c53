import Prometheus

extension PrometheusCollectorRegistry {
    /// A gauge named in full (`medic_unit_health`), with its help text.
    func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Prometheus.Gauge {
        makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    /// A counter named in full (`medic_unit_good_seconds_total`), with its help text.
    func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Prometheus.Counter {
        makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
