import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// The shipped Prometheus rules (contrib/prometheus) are valid and do what their tests say, checked
/// with Debian's promtool.
@Suite("Shipped Prometheus rules")
struct PrometheusRulesTests {
    static let directory = PlaybookCheckTests.repository + "/contrib/prometheus"

    @Test("promtool check rules accepts them")
    func check() throws {
        let result = try Command.run(["promtool", "check", "rules", Self.directory + "/medic-rules.yml"], environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("SUCCESS"))
    }

    @Test("promtool test rules: per-unit and fleet-wide burn-rate alerts, the hold and the stale heartbeat fire as written")
    func unitTests() throws {
        let result = try Command.run(["promtool", "test", "rules", Self.directory + "/medic-rules.test.yml"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("SUCCESS"))
    }
}
