import MedicCore
import MedicEngine
import Prometheus

/// The series of one watched unit in the registry, kept between scrapes: gauges are set, counters
/// advance by what was added since the last render.
struct UnitSeries {
    private let unit: String
    private var health: [Health: Prometheus.Gauge] = [:]
    private var seconds: [Availability: Prometheus.Counter] = [:]
    private var counted = TimeTotals()
    private var restarts: Prometheus.Counter?
    private var restartsSeen: UInt32 = 0
    private var objective: Prometheus.Gauge?
    private var remaining: Prometheus.Gauge?
    private var level: Prometheus.Gauge?
    private var budgetState: [BudgetState: Prometheus.Gauge] = [:]
    private var burn: [String: Prometheus.Gauge] = [:]
    private let registry: PrometheusCollectorRegistry

    init(unit: String, registry: PrometheusCollectorRegistry) {
        self.unit = unit
        self.registry = registry
    }

    private var label: [(String, String)] { [("unit", unit)] }

    mutating func set(_ figures: UnitFigures, at now: Double) {
        if let verdict = figures.health?.verdict.health {
            for state in Health.allCases {
                if health[state] == nil {
                    health[state] = registry.gauge("medic_unit_health", labels: label + [("health", state.rawValue)],
                                                       help: "The unit's health class as a state set: 1 for the class it is in, 0 for the others")
                }
                health[state]?.set(to: state == verdict ? 1 : 0)
            }
        }
        if let count = figures.health?.snapshot.restartCount { setRestarts(count) }
        if let totals = figures.totals { advance(totals) }
        if let slo = figures.slo { setSLO(slo) }
    }

    /// systemd's NRestarts as a counter: advanced by each increase; when systemd resets it (a manual
    /// start), the counter starts over, which Prometheus reads as a counter reset.
    private mutating func setRestarts(_ count: UInt32) {
        if restarts == nil || count < restartsSeen {
            if let old = restarts { registry.unregisterCounter(old) }
            restarts = registry.counter("medic_unit_restarts_total", labels: label,
                                            help: "Automatic restarts of the unit by systemd (NRestarts)")
            restartsSeen = 0
        }
        if count > restartsSeen { restarts?.increment(by: Int64(count - restartsSeen)) }
        restartsSeen = count
    }

    private mutating func advance(_ totals: TimeTotals) {
        let help: [Availability: String] = [
            .good: "Seconds the unit was up (good time for its availability SLO) since Medic started",
            .bad: "Seconds the unit was down or impaired (bad time, consuming error budget) since Medic started",
            .unknown: "Seconds Medic could not see the unit since it started",
            .excluded: "Seconds the unit was stopped or idle by design (neither good nor bad) since Medic started",
        ]
        for (availability, value, previous) in [(Availability.good, totals.good, counted.good), (.bad, totals.bad, counted.bad),
                                                (.unknown, totals.unknown, counted.unknown), (.excluded, totals.excluded, counted.excluded)] {
            if seconds[availability] == nil {
                seconds[availability] = registry.counter("medic_unit_\(availability.rawValue)_seconds_total", labels: label, help: help[availability] ?? "")
            }
            if value > previous { seconds[availability]?.increment(by: value - previous) }
        }
        counted = TimeTotals(good: max(totals.good, counted.good), bad: max(totals.bad, counted.bad),
                             excluded: max(totals.excluded, counted.excluded), unknown: max(totals.unknown, counted.unknown))
    }

    private mutating func setSLO(_ report: SLOReport) {
        if objective == nil {
            objective = registry.gauge("medic_slo_objective_ratio", labels: label, help: "The unit's availability objective as a ratio (0.999 for 99.9 %)")
            remaining = registry.gauge("medic_slo_error_budget_remaining_ratio", labels: label,
                                           help: "Error budget left over the SLO window as a ratio of the budget (negative once overspent)")
            level = registry.gauge("medic_slo_alert_level", labels: label, help: "The budget's alert level as medic slo reports it: 1 = P1 (page), 2 = P2 (ticket), 3 = P3 (informational)")
        }
        objective?.set(to: report.objective)
        remaining?.set(to: report.remainingPercent / 100)
        level?.set(to: Double(report.alertLevel.dropFirst()) ?? 3)
        for state in [BudgetState.ok, .warning, .breached, .exhausted] {
            if budgetState[state] == nil {
                budgetState[state] = registry.gauge("medic_slo_budget_state", labels: label + [("state", state.rawValue)],
                                                        help: "The error budget's state as a state set (ok, warning, breached, exhausted)")
            }
            budgetState[state]?.set(to: state == report.state ? 1 : 0)
        }
        for rate in report.burnRates {
            let window = FailureDescription.window(rate.window)
            if burn[window] == nil {
                burn[window] = registry.gauge("medic_slo_burn_rate", labels: label + [("window", window)],
                                                  help: "How fast the error budget burns over the window: 1 spends exactly the budget over the SLO window")
            }
            burn[window]?.set(to: rate.rate)
        }
    }

    /// Removes every series of the unit (it left the watched set or was unloaded).
    func unregister(from registry: PrometheusCollectorRegistry) {
        for gauge in Array(health.values) + Array(budgetState.values) + Array(burn.values) + [objective, remaining, level].compactMap({ $0 }) {
            registry.unregisterGauge(gauge)
        }
        for counter in Array(seconds.values) + [restarts].compactMap({ $0 }) { registry.unregisterCounter(counter) }
    }
}
