import MedicConfig
import MedicCore
import MedicEngine
@testable import MedicHTTP
import MedicReports
import Testing

/// The dashboard's pages as HTML, escaping, the request guard's rules and the live feed, without a
/// server (the real server and browser are in the integration tests).
@Suite("Dashboard pages, guard and live feed")
struct DashboardHTMLTests {
    func unit(_ name: String, _ health: Health, description: String = "", reason: String? = nil) -> UnitHealth {
        var snapshot = UnitSnapshot(name: name)
        snapshot.description = description
        snapshot.stateChangeMicros = 1_700_000_000_000_000
        return UnitHealth(snapshot: snapshot, verdict: HealthVerdict(health, reason ?? health.rawValue))
    }

    @Test("what a unit controls is escaped: markup, quotes, control characters")
    func escaping() {
        #expect(HTMLText.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(HTMLText.escape("\u{1B}[2Jclear") == "\\x1b[2Jclear")
        #expect(HTMLText.escape("plain text") == "plain text")
        #expect(HTMLText.urlComponent("a\\x2db@c:1.service") == "a%5Cx2db%40c%3A1.service")
    }

    @Test("the board: every unit with class, symbol and word, counts, the filter, and hostile descriptions as text")
    func board() {
        let units = [unit("b.service", .failed, description: "<img src=x onerror=alert(1)>"), unit("a.service", .healthy)]
        let document = StatusDocument(units: units, slos: nil, daemon: nil, live: nil, now: 1)
        let html = BoardPage(document: document).body(interactive: true)
        #expect(html.contains("<tr class=\"unit h-failed\" data-unit=\"b.service\" data-health=\"failed\">"))
        #expect(html.contains("✖ failed"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<img"))
        #expect(html.contains("<b data-count=\"failed\">1</b>"))
        #expect(html.contains("id=\"activity\""))
        #expect(html.contains("<time data-since=\"1700000000\""))
        let failedOnly = BoardPage(document: document, filter: .init(health: .failed)).body(interactive: true)
        #expect(failedOnly.contains("b.service") && !failedOnly.contains("data-unit=\"a.service\""))
        let byPattern = BoardPage(document: document, filter: .init(pattern: try? UnitPattern("a*"))).body(interactive: false)
        #expect(byPattern.contains("data-unit=\"a.service\"") && !byPattern.contains("data-unit=\"b.service\""))
        #expect(!byPattern.contains("<form"), "a report has no form")
    }

    @Test("a served page links its own script and style and refreshes without JavaScript; a report file has neither script nor outside resource")
    func frames() {
        let served = HTMLPage(title: "Units", host: "<host>", delivery: .served(live: "/api/v1/events")).render("<p>x</p>", refresh: true)
        #expect(served.contains("<script src=\"/assets/medic.js\" defer></script>"))
        #expect(served.contains("<noscript><meta http-equiv=\"refresh\" content=\"10\"></noscript>"))
        #expect(served.contains("data-live=\"/api/v1/events\""))
        #expect(served.contains("&lt;host&gt;") && !served.contains("<host>"))
        let report = IncidentReport(document: StatusDocument(units: [unit("a.service", .healthy)], slos: nil, daemon: nil, live: nil, now: 1),
                                    units: [], corrections: [], since: 0, generatedAt: 1, host: "h").html()
        #expect(!report.contains("<script"))
        #expect(report.contains("Content-Security-Policy"))
        #expect(!report.contains("src=\"http") && !report.contains("href=\"http"))
        #expect(report.contains("href=\"#unit-a.service\""))
        #expect(!DashboardAssets.javascript.contains("eval(") && !DashboardAssets.javascript.contains("innerHTML"))
    }

    @Test("a probed unit shows its probe: on the board after its reason (unless the reason is the probe's failure), on its page with the last result")
    func probes() {
        var passing = unit("web.service", .healthy, reason: "running")
        passing.snapshot.probe = ProbeState(status: .passing, label: "http GET http://127.0.0.1:8080/", detail: "status 200")
        var failing = unit("api.service", .degraded, reason: "probe tcp 127.0.0.1:9000 failing: connection refused")
        failing.verdict = HealthVerdict(.degraded, failing.verdict.reason, cause: .probe)
        failing.snapshot.probe = ProbeState(status: .failing, label: "tcp 127.0.0.1:9000", detail: "connection refused")
        let board = BoardPage(document: StatusDocument(units: [passing, failing], slos: nil, daemon: nil, live: nil, now: 1)).body(interactive: false)
        #expect(board.contains("<td class=\"reason\">running; probe passing</td>"))
        #expect(board.contains("<td class=\"reason\">probe tcp 127.0.0.1:9000 failing: connection refused</td>"), "not said twice")
        let page = UnitPage(unit: UnitReport(passing), history: .none, journal: [], explanation: nil, corrections: []).body()
        #expect(page.contains("<dt>probe</dt><dd class=\"probe\">passing (http GET http://127.0.0.1:8080/: status 200)</dd>"))
    }

    @Test("a unit page without history says so; with history it draws the bar, the burn-down and the rules")
    func unitPage() {
        let report = UnitReport(unit("a.service", .healthy))
        #expect(UnitPage(unit: report, history: .none, journal: [], explanation: nil, corrections: []).body().contains("No history yet"))
        let spec = SLOSpec(objective: 0.99, window: 1000)
        let timeline = AvailabilityTimeline(observations: [StateObservation(time: 1100, activeState: "active", subState: "running", health: .healthy),
                                                           StateObservation(time: 1500, activeState: "failed", subState: "failed", health: .failed),
                                                           StateObservation(time: 1503, activeState: "active", subState: "running", health: .healthy)],
                                            knownUntil: 2000, policy: AvailabilityPolicy())
        let slo = SLOEvaluator.evaluate(timeline, spec: spec, now: 2000)
        let history = UnitBudgetHistory(report: slo, segments: timeline.segments, burnDown: BudgetBurnDown(timeline: timeline, spec: spec, now: 2000))
        let html = UnitPage(unit: report, history: history, journal: ["<b>bold</b>"], explanation: ["a.service: healthy"], corrections: []).body()
        #expect(html.contains("<svg class=\"chart availability\""))
        #expect(html.contains("<rect class=\"bad\""))
        #expect(html.contains("<polyline class=\"burn-line\""))
        #expect(html.contains("objective 99%"))
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.components(separatedBy: "<tr><td>").count - 1 == slo.rules.count)
    }

    @Test("Host header: loopback answers to its own address and localhost only; unix sockets and other addresses are not checked")
    func hostCheck() {
        let loopback = ListenAddress.tcp(host: "127.0.0.1", port: 8080)
        #expect(HostCheck.problem(host: "127.0.0.1:8080", address: loopback) == nil)
        #expect(HostCheck.problem(host: "localhost:8080", address: loopback) == nil)
        #expect(HostCheck.problem(host: "LOCALHOST:8080", address: loopback) == nil)
        #expect(HostCheck.problem(host: "evil.example:8080", address: loopback) != nil)
        #expect(HostCheck.problem(host: "127.0.0.1:9999", address: loopback) != nil)
        #expect(HostCheck.problem(host: nil, address: loopback) != nil)
        #expect(HostCheck.problem(host: "[::1]:80", address: .tcp(host: "::1", port: 80)) == nil)
        #expect(HostCheck.problem(host: "anything", address: .unix(path: "/run/medic.sock")) == nil)
        #expect(HostCheck.problem(host: "anything", address: .tcp(host: "0.0.0.0", port: 80)) == nil)
        #expect(ConstantTime.equal("same-token", "same-token"))
        #expect(!ConstantTime.equal("same-token", "same-tokeN"))
        #expect(!ConstantTime.equal("short", "short-and-longer"))
    }

    @Test("the live feed: transitions to every reader, budgets only when they change, bounded readers, closed on shutdown")
    func liveFeed() async throws {
        let feed = LiveFeed()
        let (_, messages) = try #require(await feed.subscribe())
        var snapshot = UnitSnapshot(name: "a.service")
        snapshot.activeState = "failed"
        await feed.watched(.transition(HealthTransition(unit: "a.service", from: .healthy, to: HealthVerdict(.failed, "exit-code"), time: 5, snapshot: snapshot)))
        await feed.watched(.ready(units: 3))
        let slo = SLOEvaluator.evaluate(AvailabilityTimeline(observations: [], knownUntil: 10, policy: AvailabilityPolicy()), spec: .standard, now: 10)
        await feed.evaluated(["a.service": slo])
        await feed.evaluated(["a.service": slo])
        await feed.correction(CorrectionActivity(id: 7, unit: "a.service", playbook: "restart", event: .step, detail: "restart a.service: done"))
        await feed.keepalive()
        await feed.close()
        var received: [LiveFeed.Message] = []
        for await message in messages { received.append(message) }
        #expect(received.map(\.event) == ["transition", "budget", "correction", ""])
        #expect(received[3].wire == ":\n\n", "a keep-alive is a comment")
        #expect(received[0].data.contains("\"to\":\"failed\"") && received[0].data.contains("\"unit\":\"a.service\""))
        #expect(received[0].wire.hasSuffix("\n\n") && received[0].wire.hasPrefix("id: 1\nevent: transition\ndata: {"))
        #expect(received[2].data.contains("\"id\":7"))
        #expect(await feed.subscribe() == nil, "closed")

        let bounded = LiveFeed()
        var streams: [AsyncStream<LiveFeed.Message>] = []
        for _ in 0..<LiveFeed.maximumReaders { if let (_, s) = await bounded.subscribe() { streams.append(s) } }
        #expect(streams.count == LiveFeed.maximumReaders)
        #expect(await bounded.subscribe() == nil)
        await bounded.close()
    }
}
