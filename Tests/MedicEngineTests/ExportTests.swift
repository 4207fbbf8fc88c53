import MedicCore
import MedicEngine
import MedicHTTP
import MedicTestSupport
import Testing

/// What the daemon's figures become: Prometheus series and Alertmanager alerts.
@Suite("Exporting the daemon's figures")
struct ExportTests {
    func unit(_ name: String, _ health: Health, restarts: UInt32 = 0) -> UnitHealth {
        var snapshot = UnitSnapshot(name: name)
        snapshot.restartCount = restarts
        return UnitHealth(snapshot: snapshot, verdict: HealthVerdict(health, health.rawValue))
    }

    /// A real evaluation (99.9 % over 30 days, the workbook's rules) of a unit whose recent history puts
    /// its budget in `state`.
    func report(_ state: BudgetState, now: Double = 1_000_000) -> SLOReport {
        var observations = [StateObservation(time: now - 10_000, activeState: "active", subState: "running", health: .healthy)]
        func failed(_ from: Double) { observations.append(StateObservation(time: from, activeState: "failed", subState: "failed", health: .failed)) }
        func up(_ from: Double) { observations.append(StateObservation(time: from, activeState: "active", subState: "running", health: .healthy)) }
        switch state {
        case .ok: break
        case .warning: failed(now - 7000); up(now - 5400)
        case .breached: failed(now - 600)
        case .exhausted: failed(now - 3000)
        }
        let timeline = AvailabilityTimeline(observations: observations, knownUntil: now, policy: AvailabilityPolicy())
        let report = SLOEvaluator.evaluate(timeline, spec: .standard, now: now)
        precondition(report.state == state, "\(report.state) instead of \(state)")
        return report
    }

    func figures(_ units: [String: UnitFigures], now: Double = 1000, decisions: CorrectionDecisions? = nil, facts: CorrectionFacts? = nil) -> DaemonFigures {
        DaemonFigures(now: now, startedAt: 900, heartbeat: 999, units: units, watching: units.count, sloEvaluatedAt: 995, decisions: decisions, corrections: facts)
    }

    @Test("a unit's series: health as a state set, seconds as counters that only grow, restarts, SLO gauges; a unit that left takes its series along")
    func series() async {
        let exposition = MetricsExposition()
        var web = UnitFigures(health: unit("web.service", .failed, restarts: 3), totals: TimeTotals(good: 50, bad: 10), slo: report(.breached))
        var text = MetricsText(String(decoding: exposition.render(figures(["web.service": web])), as: UTF8.self))
        #expect(text.value("medic_unit_health", ["unit": "web.service", "health": "failed"]) == 1)
        #expect(text.samples.filter { $0.name == "medic_unit_health" }.count == Health.allCases.count)
        #expect(text.value("medic_unit_bad_seconds_total", ["unit": "web.service"]) == 10)
        #expect(text.value("medic_unit_restarts_total", ["unit": "web.service"]) == 3)
        #expect(text.value("medic_slo_burn_rate", ["unit": "web.service", "window": "5m"]).map { abs($0 - 1000) < 1e-6 } == true)
        #expect(text.value("medic_slo_alert_level", ["unit": "web.service"]) == 1)
        #expect(text.value("medic_slo_error_budget_remaining_ratio", ["unit": "web.service"]).map { abs($0 - (2592 - 600) / 2592) < 1e-9 } == true)
        #expect(text.value("medic_up") == 1)

        // systemd reset NRestarts (a manual start): the counter starts over rather than going down silently.
        web.totals = TimeTotals(good: 80, bad: 10)
        web.health = unit("web.service", .healthy, restarts: 1)
        text = MetricsText(String(decoding: exposition.render(figures(["web.service": web])), as: UTF8.self))
        #expect(text.value("medic_unit_good_seconds_total", ["unit": "web.service"]) == 80)
        #expect(text.value("medic_unit_restarts_total", ["unit": "web.service"]) == 1)
        #expect(text.value("medic_unit_health", ["unit": "web.service", "health": "healthy"]) == 1)

        // A probed unit: its probe as a state set; units without probes have none.
        var probed = unit("api.service", .degraded)
        probed.snapshot.probe = ProbeState(status: .failing, label: "tcp 127.0.0.1:9000", detail: "connection refused")
        text = MetricsText(String(decoding: exposition.render(figures(["web.service": web, "api.service": UnitFigures(health: probed)])), as: UTF8.self))
        #expect(text.value("medic_unit_probe_status", ["unit": "api.service", "status": "failing"]) == 1)
        #expect(text.value("medic_unit_probe_status", ["unit": "api.service", "status": "passing"]) == 0)
        #expect(text.samples.filter { $0.name == "medic_unit_probe_status" }.count == 4)

        text = MetricsText(String(decoding: exposition.render(figures([:]), up: false), as: UTF8.self))
        #expect(!text.samples.contains { $0.labels["unit"] == "web.service" })
        #expect(text.value("medic_up") == 0)
    }

    @Test("unit names are escaped as label values (systemd's \\x2d), and the text parses as Prometheus reads it")
    func escaping() throws {
        let name = #"dev-disk-by\x2duuid-1.device"#
        let body = String(decoding: MetricsExposition().render(figures([name: UnitFigures(health: unit(name, .healthy))])), as: UTF8.self)
        #expect(body.contains(#"medic_unit_health{unit="dev-disk-by\\x2duuid-1.device",health="healthy"} 1"#), "\(body)")
        // Every family is declared once, before its samples.
        let types = body.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(types).count == types.count)
    }

    @Test("holds are counted by kind")
    func holds() async {
        let decisions = CorrectionDecisions(running: [], escalating: [], hold: .init(units: ["a.service", "b.service", "c.service"], since: 1, reason: "3 failed together"),
                                            notCorrecting: ["a.service": "held", "b.service": "held", "c.service": "held", "d.service": "no playbook"],
                                            dependencyFailures: nil, limits: .init(CorrectionLimits()))
        let text = MetricsText(String(decoding: MetricsExposition().render(figures([:], decisions: decisions)), as: UTF8.self))
        #expect(text.value("medic_holds", ["reason": "mass-failure"]) == 3)
        #expect(text.value("medic_holds", ["reason": "not-correcting"]) == 4)
        #expect(text.value("medic_holds", ["reason": "quarantined"]) == 0)
    }

    @Test("alert conditions: budgets by state, unresolved corrections, quarantines and a hold, with host and explain hints")
    func conditions() throws {
        let units = ["ok.service": UnitFigures(slo: report(.ok)), "warm.service": UnitFigures(slo: report(.warning)),
                     "hot.service": UnitFigures(slo: report(.breached)), "gone.service": UnitFigures(slo: report(.exhausted))]
        let facts = CorrectionFacts(
            unresolved: ["hot.service": .init(id: 7, playbook: "restart-failed", outcome: .rolledBack, detail: "failed again", at: 990),
                         "warm.service": .init(id: 8, playbook: "escalate", outcome: .escalated, detail: nil, at: 991)],
            quarantines: [.init(unit: "hot.service", playbook: "restart-failed", since: 995)]
        )
        let decisions = CorrectionDecisions(running: [], escalating: [], hold: .init(units: ["x.service"], since: 1, reason: "3 failed together"),
                                            notCorrecting: [:], dependencyFailures: nil, limits: .init(CorrectionLimits()))
        let conditions = AlertConditions.from(figures(units, decisions: decisions, facts: facts), host: "h1")
        func find(_ name: String, _ unit: String?) -> AlertCondition? {
            conditions.first { $0.labels["alertname"] == name && $0.labels["unit"] == unit }
        }
        #expect(conditions.allSatisfy { $0.labels["host"] == "h1" })
        #expect(!conditions.contains { $0.labels["unit"] == "ok.service" })
        #expect(find("MedicErrorBudgetBurn", "warm.service")?.labels["severity"] == "ticket")
        let hot = try #require(find("MedicErrorBudgetBurn", "hot.service"))
        #expect(hot.labels["severity"] == "page")
        #expect(hot.labels["slo"] == "availability 99.9% / 30d")
        #expect(hot.annotations["level"] == "P1")
        #expect(hot.annotations["burn_rates"]?.hasPrefix("5m=1000x 30m=333.3x 1h=166.7x") == true, "\(hot.annotations)")
        #expect(hot.annotations["explain"] == "medic explain hot.service")
        #expect(find("MedicErrorBudgetExhausted", "gone.service")?.labels["severity"] == "page")
        #expect(find("MedicCorrectionFailed", "hot.service")?.labels["playbook"] == "restart-failed")
        #expect(find("MedicCorrectionEscalated", "warm.service")?.labels["severity"] == "page")
        #expect(find("MedicPlaybookQuarantined", "hot.service")?.labels["playbook"] == "restart-failed")
        #expect(find("MedicMassFailureHold", nil)?.annotations["units"] == "x.service")
        // Three budgets, two corrections, one quarantine, one hold.
        #expect(conditions.count == 7)
    }
}
