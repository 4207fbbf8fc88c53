import MedicConfig
import MedicCore
import Testing
import Yams

@Suite("SLO export: Sloth and OpenSLO specifications over Medic's counters")
struct SLOExportTests {
    let entries = [
        SLOExport.Entry(unit: "web.service", spec: .standard),
        SLOExport.Entry(unit: "getty@tty1.service", spec: SLOSpec(objective: 0.9995, window: 7 * 86_400)),
    ]

    @Test("Sloth: one SLO per unit, objective in percent, error and total queries over the counters with Sloth's window placeholder")
    func sloth() throws {
        let text = try SLOExport.yaml(entries, format: .sloth, job: "medic")
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["version"] as? String == "prometheus/v1")
        let slos = try #require(document["slos"] as? [[String: Any]])
        #expect(slos.map { $0["name"] as? String } == ["web-service-availability", "getty-tty1-service-availability"])
        #expect(slos.map { $0["objective"] as? Double } == [99.9, 99.95])
        let events = try #require((slos[0]["sli"] as? [String: Any])?["events"] as? [String: String])
        #expect(events["error_query"] == #"sum(rate(medic_unit_bad_seconds_total{job="medic",unit="web.service"}[{{.window}}]))"#)
        #expect(events["total_query"]?.contains(#"medic_unit_good_seconds_total{job="medic",unit="web.service"}[{{.window}}]"#) == true)
        let alerting = try #require(slos[0]["alerting"] as? [String: Any])
        #expect((alerting["page_alert"] as? [String: Any])?["labels"] as? [String: String] == ["severity": "page"])
        #expect((slos[1]["description"] as? String)?.contains("7d") == true)
    }

    @Test("OpenSLO: one SLO document per unit with a counter ratio, its window and target")
    func openSLO() throws {
        let text = try SLOExport.yaml(entries, format: .openslo, job: "medic")
        let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
        #expect(documents.count == 2)
        #expect(documents.allSatisfy { $0["apiVersion"] as? String == "openslo/v1" && $0["kind"] as? String == "SLO" })
        let spec = try #require(documents[1]["spec"] as? [String: Any])
        #expect(spec["service"] as? String == "getty@tty1.service")
        #expect((spec["timeWindow"] as? [[String: Any]])?.first?["duration"] as? String == "7d")
        #expect((spec["objectives"] as? [[String: Any]])?.first?["target"] as? Double == 0.9995)
        let ratio = try #require(((spec["indicator"] as? [String: Any])?["spec"] as? [String: Any])?["ratioMetric"] as? [String: Any])
        #expect(ratio["counter"] as? Bool == true)
        let good = ((ratio["good"] as? [String: Any])?["metricSource"] as? [String: Any])?["spec"] as? [String: String]
        #expect(good?["query"] == #"medic_unit_good_seconds_total{job="medic",unit="getty@tty1.service"}"#)
    }
}
