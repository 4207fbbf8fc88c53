import MedicConfig
import MedicCore
import Testing

@Suite("medic.yaml probes")
struct ProbeConfigTests {
    @Test("every kind and field is read, with the defaults where a field is left out")
    func fullProbes() throws {
        let config = try ConfigParser.parse("""
            availability:
              probe-failing-is-bad: no
            probes:
              - unit: web.service
                name: healthz
                http: {url: "http://127.0.0.1:8080/healthz", expect-status: [200-299, 301], body-contains: ok, headers: {X-Check: medic}, insecure: yes}
                interval: 15s
                timeout: 3s
                failure-threshold: 2
                success-threshold: 2
                probe-failure-is: failed
                start-grace: 20s
              - unit: ["db.service", "cache-*.service"]
                tcp: "127.0.0.1:5432"
              - unit: api.service
                tcp: {host: "::1", port: 9000}
              - unit: api.service
                unix: /run/api.sock
              - unit: worker.service
                exec: {argv: [/usr/bin/check-worker, --quiet], user: nobody}
              - unit: plain.service
                http: https://example.test/
            """, file: "medic.yaml")
        #expect(config.availability.probeFailingIsBad == false)
        #expect(config.probes.count == 6)
        let web = config.probes[0].spec
        #expect(web.kind == .http(url: "http://127.0.0.1:8080/healthz", expectStatus: [200...299, 301...301], bodyContains: "ok", headers: ["X-Check": "medic"], insecure: true))
        #expect(web.name == "healthz" && config.probes[1].spec.name == nil)
        #expect(web.interval == 15 && web.timeout == 3 && web.failureThreshold == 2 && web.successThreshold == 2 && web.failureIs == .failed && web.startGrace == 20)
        #expect(config.probes[1].spec == ProbeSpec(kind: .tcp(host: "127.0.0.1", port: 5432)), "defaults: every 10s, 2s timeout, 3 failures, 1 pass, degraded")
        #expect(ProbeRule.specs(of: "cache-eu.service", in: config.probes).map(\.kind) == [.tcp(host: "127.0.0.1", port: 5432)])
        #expect(ProbeRule.specs(of: "api.service", in: config.probes).map(\.kind) == [.tcp(host: "::1", port: 9000), .unix(path: "/run/api.sock")])
        #expect(config.probes[4].spec.kind == .exec(argv: ["/usr/bin/check-worker", "--quiet"], user: "nobody"))
        #expect(config.probes[5].spec.kind == .http(url: "https://example.test/", expectStatus: [200...399], bodyContains: nil, headers: [:], insecure: false))
        #expect(try ConfigParser.parse("", file: "m.yaml").availability.probeFailingIsBad, "probe-failing time is bad by default")
    }

    @Test("a bad probe is reported with file, line, column and field, and nothing of the file is used", arguments: [
        ("probes:\n  - http: http://x/\n", "m.yaml:2:5: probes[0]: a probe names its units in `unit`"),
        ("probes:\n  - unit: a.service\n", "m.yaml:2:5: probes[0]: a probe has exactly one of http, tcp, unix, exec; found none"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:1'\n    unix: /s\n", "m.yaml:4:11: probes[0].unix: a probe has exactly one of http, tcp, unix, exec; found tcp and unix"),
        ("probes:\n  - unit: a.service\n    http: file:///etc/passwd\n", "m.yaml:3:11: probes[0].http: only http and https URLs are probed, not file"),
        ("probes:\n  - unit: a.service\n    http: {url: 'http://u:p@h/'}\n", "m.yaml:3:17: probes[0].http.url: credentials do not belong in the URL; send them as a header"),
        ("probes:\n  - unit: a.service\n    http: {url: 'http://h/', expect-status: [200-99]}\n", "m.yaml:3:46: probes[0].http.expect-status[0]: expected an HTTP status (200) or a range (200-299) within 100-599, got '200-99'"),
        ("probes:\n  - unit: a.service\n    http: {url: 'http://h/', headers: {X-A: \"a\\nb\"}}\n", "m.yaml:3:45: probes[0].http.headers.X-A: a header value is one line"),
        ("probes:\n  - unit: a.service\n    tcp: localhost\n", "m.yaml:3:10: probes[0].tcp: expected host:port, got 'localhost'"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:70000'\n", "m.yaml:3:10: probes[0].tcp: expected a port from 1 to 65535, got '70000'"),
        ("probes:\n  - unit: a.service\n    unix: run/a.sock\n", "m.yaml:3:11: probes[0].unix: expected an absolute socket path, got 'run/a.sock'"),
        ("probes:\n  - unit: a.service\n    exec: 'curl -f http://h/ | grep ok'\n", "m.yaml:3:11: probes[0].exec: expected an argument list such as [/usr/bin/check, --quiet]; a probe never runs a shell line"),
        ("probes:\n  - unit: a.service\n    exec: [check]\n", "m.yaml:3:11: probes[0].exec: argv[0] must be an absolute path"),
        ("probes:\n  - unit: a.service\n    exec: {argv: [/bin/true], user: '-r'}\n", "m.yaml:3:37: probes[0].exec.user: '-r' is not a user name"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:1'\n    interval: 5s\n    timeout: 10s\n", "m.yaml:5:14: probes[0].timeout: must not be longer than the interval (5s)"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:1'\n    probe-failure-is: idle\n", "m.yaml:4:23: probes[0].probe-failure-is: expected degraded or failed"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:1'\n    failure-threshold: 0\n", "m.yaml:4:24: probes[0].failure-threshold: expected a whole number of at least 1, got '0'"),
        ("probes:\n  - unit: 'bad name'\n    tcp: 'h:1'\n", "m.yaml:2:11: probes[0].unit: invalid unit pattern 'bad name': character ' ' cannot appear in a unit name"),
        ("probes:\n  - unit: a.service\n    name: 'health check'\n    tcp: 'h:1'\n", "m.yaml:3:11: probes[0].name: expected a name of letters, digits, '-', '_' and '.', at most 100 characters"),
        ("probes:\n  - unit: a.service\n    tcp: 'h:1'\n    retries: 3\n", "m.yaml:4:5: probes[0].retries: unknown field; expected one of exec, failure-threshold, http, interval, name, probe-failure-is, start-grace, success-threshold, tcp, timeout, unit, unix"),
    ])
    func errors(text: String, message: String) {
        let outcome = ConfigParser.check(text, file: "m.yaml")
        #expect(outcome.configuration == nil)
        #expect(outcome.problems.first?.description == message)
    }
}
