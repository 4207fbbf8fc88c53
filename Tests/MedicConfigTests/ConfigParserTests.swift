import MedicConfig
import MedicCore
import Testing

@Suite("medic.yaml")
struct ConfigParserTests {
    @Test("an empty file gives the defaults")
    func defaults() throws {
        let config = try ConfigParser.parse("", file: "medic.yaml")
        #expect(config == MedicConfiguration())
        #expect(config.slo.defaultSpec == .standard)
        #expect(config.watches("web.service"))
        #expect(!config.watches("web.socket"))
        #expect(config.retention == 30 * 86_400)
    }

    @Test("every field is read")
    func fullFile() throws {
        let config = try ConfigParser.parse("""
            watch: ["web-*.service", "db.service"]
            ignore: web-canary.service
            health:
              flap-restarts: 2
              crash-loop-restarts: 4
              flap-window: 5m
              stuck-after: 90s
              reload-too-long: 1m
              restart-grace: 3s
            availability:
              degraded-is-bad: yes
              activating-grace: never
            slo:
              objective: 99.5
              window: 7d
              units:
                - match: "db.service"
                  objective: 99.99
                  burn-rate-alerts:
                    - {severity: page, long: 1h, short: 5m, threshold: 10}
            store:
              retention: 40d
            corrections:
              protect: [payments.service, "db-*.service"]
              max-concurrent: 1
              max-per-minute: 2
              mass-failure-count: 4
              mass-failure-percent: 25
            """, file: "medic.yaml")
        #expect(config.watch.map(\.text) == ["web-*.service", "db.service"])
        #expect(config.watches("web-1.service"))
        #expect(!config.watches("web-canary.service"))
        #expect(config.health == HealthPolicy(flapRestarts: 2, crashLoopRestarts: 4, flapWindow: 300, stuckTransition: 90, reloadTooLong: 60).with { $0.restartGrace = 3 })
        #expect(config.availability == AvailabilityPolicy(degradedIsBad: true, activatingGrace: nil))
        #expect(config.slo.spec(for: "web-1.service") == SLOSpec(objective: 0.995, window: 7 * 86_400))
        let db = config.slo.spec(for: "db.service")
        #expect(abs(db.objective - 0.9999) < 1e-12)
        #expect(db.window == 7 * 86_400)
        #expect(db.rules == [BurnRateRule(severity: .page, longWindow: 3600, shortWindow: 300, threshold: 10)])
        #expect(config.retention == 40 * 86_400)
        #expect(config.protection.isProtected("db-main.service"))
        #expect(config.protection.isProtected("dbus.service"))
        #expect(!config.protection.isProtected("web-1.service"))
        #expect(config.limits == CorrectionLimits(maxConcurrent: 1, maxPerMinute: 2, massFailureCount: 4, massFailureShare: 0.25))
    }

    @Test("learning settings")
    func learning() throws {
        let config = try ConfigParser.parse("learning:\n  credibility-percent: 95\n  floor-percent: 20\n  min-attempts: 5\n  exploration: 1\n", file: "m.yaml")
        #expect(config.learning == LearningPolicy(enabled: true, credibility: 0.95, floor: 0.2, minimumAttempts: 5, exploration: 1))
        #expect(try ConfigParser.parse("learning: {enabled: false}\n", file: "m.yaml").learning.enabled == false)
        #expect(try ConfigParser.parse("watch: ['*.service']\n", file: "m.yaml").learning == LearningPolicy())
    }

    @Test("retention never drops below the longest window")
    func retentionFloor() throws {
        let config = try ConfigParser.parse("slo: {window: 60d}\nstore: {retention: 1d}\n", file: "m.yaml")
        #expect(config.retention == 60 * 86_400)
    }

    @Test("bad input names file, line, column and field", arguments: [
        ("slo:\n  objective: 100\n", "m.yaml:2:14: slo.objective: must be a percentage between 0 and 100, exclusive (e.g. 99.9), got 100.0"),
        ("slo:\n  window: soon\n", "m.yaml:2:11: slo.window: expected a duration such as 30s, 5m, 1h or 30d, got 'soon'"),
        ("healt:\n  flap-restarts: 2\n", "m.yaml:1:1: healt: unknown field; expected one of alerts, availability, corrections, health, http, ignore, learning, metrics, probes, slo, store, watch"),
        ("watch: []\n", "m.yaml:1:8: watch: must name at least one unit or pattern (an empty selector never means all)"),
        ("watch: ['web service']\n", "m.yaml:1:9: watch[0]: invalid unit pattern 'web service': character ' ' cannot appear in a unit name"),
        ("health:\n  flap-restarts: 5\n  crash-loop-restarts: 2\n", "m.yaml:3:24: health.crash-loop-restarts: must be at least flap-restarts (5)"),
        ("slo:\n  units:\n    - objective: 99\n", "m.yaml:3:7: slo.units[0]: needs a 'match' pattern"),
        ("slo:\n  burn-rate-alerts:\n    - {severity: page, long: 5m, short: 1h, threshold: 2}\n", "m.yaml:3:41: slo.burn-rate-alerts[0].short: the short window must be shorter than the long one"),
        ("slo:\n  burn-rate-alerts:\n    - {severity: urgent, long: 1h, short: 5m, threshold: 2}\n", "m.yaml:3:18: slo.burn-rate-alerts[0].severity: expected page or ticket"),
        ("learning:\n  floor-percent: 100\n", "m.yaml:2:18: learning.floor-percent: must be a percentage from 0 to below 100"),
        ("learning:\n  min-attempts: 0\n", "m.yaml:2:17: learning.min-attempts: expected a whole number of at least 1, got '0'"),
        ("availability:\n  degraded-is-bad: maybe\n", "m.yaml:2:20: availability.degraded-is-bad: expected true or false"),
        ("http:\n  listen: 'localhost:99999'\n", "m.yaml:2:11: http.listen: expected HOST:PORT with a port from 1 to 65535, a bare port, or a unix socket path; got 'localhost:99999'"),
        ("http:\n  listen: unix:run/medic.sock\n", "m.yaml:2:11: http.listen: a unix socket needs an absolute path, e.g. unix:/run/medic/http.sock"),
        ("http:\n  token-file: token\n", "m.yaml:2:15: http.token-file: must be an absolute path to a file only its owner can read (chmod 600)"),
        ("metrics:\n  textfile: medic.prom\n", "m.yaml:2:13: metrics.textfile: must be an absolute path (node_exporter's --collector.textfile.directory and a name ending in .prom)"),
        ("metrics:\n  textfile: /var/lib/node_exporter/medic.txt\n", "m.yaml:2:13: metrics.textfile: must end in .prom: node_exporter's textfile collector reads only such files"),
        ("alerts:\n  alertmanager: ftp://am:9093\n", "m.yaml:2:17: alerts.alertmanager: expected an http:// or https:// URL of an Alertmanager, e.g. http://127.0.0.1:9093; got 'ftp://am:9093'"),
        ("alerts:\n  alertmanager: [http://am:9093, 'http://am:9093/']\n", "m.yaml:2:34: alerts.alertmanager[1]: http://am:9093 is listed twice"),
        ("alerts:\n  alertmanager: []\n", "m.yaml:2:17: alerts.alertmanager: must name at least one Alertmanager URL"),
        ("alerts:\n  alertmanager: http://am:9093\n  resend: 10m\n", "m.yaml:3:11: alerts.resend: must be from 1s to below 5m (Alertmanager ends an alert not re-sent within its resolve_timeout, 5m by default)"),
        ("- just\n- a list\n", "m.yaml:1:1: expected a mapping of alerts, availability, corrections, health, http, ignore, learning, metrics, probes, slo, store, watch"),
    ])
    func errors(text: String, message: String) {
        #expect(throws: ConfigError.self) { try ConfigParser.parse(text, file: "m.yaml") }
        do {
            _ = try ConfigParser.parse(text, file: "m.yaml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("metrics and alert delivery are read; all off by default")
    func export() throws {
        #expect(MedicConfiguration().export == ExportSettings())
        let config = try ConfigParser.parse("""
            http: {listen: "[::1]:9797"}
            metrics: {textfile: /var/lib/node_exporter/textfile_collector/medic.prom, interval: 30s}
            alerts:
              alertmanager: ["http://am-1:9093/", "https://am-2.example:9093"]
              resend: 2m
              host: web-7
            """, file: "m.yaml")
        #expect(config.export.listen == .tcp(host: "::1", port: 9797))
        #expect(config.export.textfile == "/var/lib/node_exporter/textfile_collector/medic.prom")
        #expect(config.export.textfileInterval == 30)
        #expect(config.export.alerts == AlertSettings(alertmanagers: ["http://am-1:9093", "https://am-2.example:9093"], resend: 120, host: "web-7"))
    }

    @Test("listen addresses", arguments: [
        ("127.0.0.1:9797", ListenAddress.tcp(host: "127.0.0.1", port: 9797), true),
        ("9797", .tcp(host: "127.0.0.1", port: 9797), true),
        ("0.0.0.0:9797", .tcp(host: "0.0.0.0", port: 9797), false),
        ("[::1]:9797", .tcp(host: "::1", port: 9797), true),
        ("/run/medic/http.sock", .unix(path: "/run/medic/http.sock"), true),
        ("unix:/run/medic/http.sock", .unix(path: "/run/medic/http.sock"), true),
    ])
    func listen(text: String, address: ListenAddress, local: Bool) throws {
        let parsed = try ListenAddress.parse(text).get()
        #expect(parsed == address)
        #expect(parsed.isLocal == local)
    }

    @Test("bad listen addresses", arguments: ["", "host:", ":0", "a b:80", "[::1]9797", "127.0.0.1:70000", "unix:relative"])
    func badListen(text: String) {
        #expect(throws: ListenAddress.Problem.self) { try ListenAddress.parse(text).get() }
    }

    @Test("a YAML syntax error names its line")
    func syntax() {
        do {
            _ = try ConfigParser.parse("slo:\n  objective: [99\n", file: "m.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("m.yaml:3:"))
            #expect(error.description.contains("invalid YAML"))
        }
    }

    @Test("durations", arguments: [("30s", 30.0), ("5m", 300), ("1h30m", 5400), ("30d", 2_592_000), ("100ms", 0.1), ("2w", 1_209_600), (" 1h ", 3600)])
    func durations(text: String, seconds: Double) {
        #expect(DurationText.parse(text) == seconds)
    }

    @Test("bad durations", arguments: ["", "5", "m", "5 m", "5x", "1h-2m", "99999999999999999999d", "101y"])
    func badDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}

extension HealthPolicy {
    func with(_ change: (inout HealthPolicy) -> Void) -> HealthPolicy {
        var copy = self
        change(&copy)
        return copy
    }
}

@Suite("Install layout")
struct InstallLayoutTests {
    let environment = ["HOME": "/home/ann", "XDG_CONFIG_HOME": "/home/ann/.cfg"]

    @Test("system and user places, a prefix, a staging root")
    func layout() {
        let system = InstallLayout(scope: .system, prefix: nil, environment: environment)
        #expect(system.binary == "/usr/local/bin/medic" && system.unit == "/etc/systemd/system/medic.service")
        #expect(system.configuration == "/etc/medic/medic.yaml" && system.playbooks == "/etc/medic/playbooks" && system.state == "/var/lib/medic")
        let user = InstallLayout(scope: .user, prefix: nil, environment: environment)
        #expect(user.binary == "/home/ann/.local/bin/medic" && user.unit == "/home/ann/.cfg/systemd/user/medic.service")
        #expect(user.playbooks == "/home/ann/.cfg/medic/playbooks" && user.state == "/home/ann/.local/state/medic")
        let staged = InstallLayout(scope: .system, prefix: "/opt/m", root: "/stage", environment: environment)
        #expect(staged.binary == "/stage/opt/m/bin/medic" && staged.installedBinary == "/opt/m/bin/medic")
        #expect(staged.manifest == "/stage/etc/medic/installed-files")
        #expect(staged.unitText(shipped: "[Service]\nExecStart=/usr/local/bin/medic run --system\nType=notify") == "[Service]\nExecStart=/opt/m/bin/medic run --system\nType=notify")
    }
}
