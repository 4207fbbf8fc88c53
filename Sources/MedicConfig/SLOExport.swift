import MedicCore
import Yams

/// Medic's per-unit availability SLOs as specifications for the SLO tools operators run fleet-wide:
/// Sloth (`prometheus/v1`) and OpenSLO (`openslo/v1`). Their SLIs are Medic's exported counters
/// (`medic_unit_good_seconds_total`, `medic_unit_bad_seconds_total`), so the generated rules compute
/// the same availability `medic slo` reports on the host.
public enum SLOExport {
    /// The formats `medic slo export` writes.
    public enum Format: String, CaseIterable, Sendable {
        case sloth
        case openslo
    }

    /// One unit and its SLO.
    public struct Entry: Sendable {
        public var unit: String
        public var spec: SLOSpec

        public init(unit: String, spec: SLOSpec) {
            self.unit = unit
            self.spec = spec
        }
    }

    /// The document(s) in `format`, as YAML.
    public static func yaml(_ entries: [Entry], format: Format, job: String) throws -> String {
        switch format {
        case .sloth: return try sloth(entries, job: job)
        case .openslo: return try openSLO(entries, job: job)
        }
    }

    /// A name both tools accept: lower-case letters, digits and dashes ("web-service-availability").
    static func name(_ unit: String) -> String {
        let mapped = unit.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        return String(mapped).split(separator: "-").joined(separator: "-") + "-availability"
    }

    /// A PromQL selector for the unit's series from the scrape job.
    static func selector(_ unit: String, job: String) -> String {
        "{job=\"\(escape(job))\",unit=\"\(escape(unit))\"}"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    private static func percent(_ objective: Double) -> Double {
        (objective * 100 * 1e6).rounded() / 1e6
    }

    // MARK: Sloth

    struct SlothSpec: Encodable {
        var version = "prometheus/v1"
        var service: String
        var labels: [String: String]
        var slos: [SLO]

        struct SLO: Encodable {
            var name: String
            var objective: Double
            var description: String
            var labels: [String: String]
            var sli: SLI
            var alerting: Alerting
        }

        struct SLI: Encodable {
            var events: Events
        }

        struct Events: Encodable {
            var error_query: String
            var total_query: String
        }

        struct Alerting: Encodable {
            var name: String
            var labels: [String: String]
            var annotations: [String: String]
            var page_alert: Alert
            var ticket_alert: Alert
        }

        struct Alert: Encodable {
            var labels: [String: String]
        }
    }

    static func sloth(_ entries: [Entry], job: String) throws -> String {
        let slos = entries.map { entry -> SlothSpec.SLO in
            let s = selector(entry.unit, job: job)
            let bad = "sum(rate(medic_unit_bad_seconds_total\(s)[{{.window}}]))"
            let good = "sum(rate(medic_unit_good_seconds_total\(s)[{{.window}}]))"
            return SlothSpec.SLO(
                name: name(entry.unit), objective: percent(entry.spec.objective),
                description: "\(entry.unit) is up (good time as medic slo counts it), \(percent(entry.spec.objective))% over \(FailureDescription.window(entry.spec.window)) in medic.yaml",
                labels: ["unit": entry.unit],
                sli: .init(events: .init(error_query: bad, total_query: "(\(good) + \(bad))")),
                alerting: .init(name: "MedicSLOBurn", labels: ["unit": entry.unit], annotations: ["explain": "medic explain \(entry.unit)"],
                                page_alert: .init(labels: ["severity": "page"]), ticket_alert: .init(labels: ["severity": "ticket"]))
            )
        }
        let header = "# Sloth specification of Medic's availability SLOs (sloth generate -i FILE). Sloth judges every SLO over its\n# default 30-day period; units whose Medic window differs say so in their description.\n"
        return header + (try YAMLEncoder().encode(SlothSpec(service: "medic", labels: ["generated-by": "medic"], slos: slos)))
    }

    // MARK: OpenSLO

    struct OpenSLODocument: Encodable {
        var apiVersion = "openslo/v1"
        var kind = "SLO"
        var metadata: Metadata
        var spec: Spec

        struct Metadata: Encodable {
            var name: String
            var displayName: String
            var labels: [String: String]
        }

        struct Spec: Encodable {
            var description: String
            var service: String
            var indicator: Indicator
            var timeWindow: [TimeWindow]
            var budgetingMethod = "Occurrences"
            var objectives: [Objective]
        }

        struct Indicator: Encodable {
            var metadata: IndicatorMetadata
            var spec: IndicatorSpec
        }

        struct IndicatorMetadata: Encodable {
            var name: String
        }

        struct IndicatorSpec: Encodable {
            var ratioMetric: RatioMetric
        }

        struct RatioMetric: Encodable {
            var counter = true
            var good: Source
            var total: Source
        }

        struct Source: Encodable {
            var metricSource: MetricSource
        }

        struct MetricSource: Encodable {
            var type = "Prometheus"
            var spec: Query
        }

        struct Query: Encodable {
            var query: String
        }

        struct TimeWindow: Encodable {
            var duration: String
            var isRolling = true
        }

        struct Objective: Encodable {
            var displayName: String
            var target: Double
        }
    }

    static func openSLO(_ entries: [Entry], job: String) throws -> String {
        var documents: [String] = []
        for entry in entries {
            let s = selector(entry.unit, job: job)
            let good = "medic_unit_good_seconds_total\(s)"
            let total = "\(good) + medic_unit_bad_seconds_total\(s)"
            let document = OpenSLODocument(
                metadata: .init(name: name(entry.unit), displayName: "\(entry.unit) availability", labels: ["unit": entry.unit, "generated-by": "medic"]),
                spec: .init(
                    description: "\(entry.unit) is up, as medic slo counts good and bad time",
                    service: entry.unit,
                    indicator: .init(metadata: .init(name: name(entry.unit) + "-sli"),
                                     spec: .init(ratioMetric: .init(good: .init(metricSource: .init(spec: .init(query: good))),
                                                                    total: .init(metricSource: .init(spec: .init(query: total)))))),
                    timeWindow: [.init(duration: FailureDescription.window(entry.spec.window))],
                    objectives: [.init(displayName: "availability", target: entry.spec.objective)]
                )
            )
            documents.append(try YAMLEncoder().encode(document))
        }
        return documents.map { "---\n" + $0 }.joined()
    }
}
