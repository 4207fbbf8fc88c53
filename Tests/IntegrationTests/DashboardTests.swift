import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// The dashboard of a real `medic run` on a sandboxed manager, loaded in Debian's real headless
/// chromium: live updates without a reload, the unit page's charts, a correction's steps, escaping
/// of what units control, the API's documents, and the report file.
@Suite("The dashboard in a real browser")
struct DashboardTests {
    static let restart = """
        name: restart-on-failure
        trigger: failure
        steps:
          - restart
        verify: {healthy-for: 1s, within: 10s}
        guard: {cooldown: 1s, max-attempts: 10}
        """

    @Test("the board shows a failure live, the unit page draws its budget, a correction shows its steps, unit text stays text")
    func liveBoard() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test", journal: true)
        defer { sandbox.stop() }
        let steady = uniqueUnit("board-steady"), victim = uniqueUnit("board-victim"), hostile = uniqueUnit("board-hostile")
        try sandbox.install(units: [
            steady: "[Service]\nExecStart=/bin/sleep infinity\n",
            victim: "[Service]\nExecStart=/bin/sleep infinity\n",
            hostile: """
                [Unit]
                Description=<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & 'quoted'
                [Service]
                ExecStart=/bin/sh -c 'printf "\\\\033[2J<script>window.pwned=3</script> journal-marker\\\\n"; exec sleep infinity'

                """,
        ])
        _ = try sandbox.systemctl("daemon-reload")
        for unit in [steady, victim, hostile] { _ = try sandbox.systemctl("start", unit) }
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try Self.restart.write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let port = try freePort()
        let state = sandbox.runtimeDirectory + "/state"
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        try "watch: [\(steady), \(victim), \(hostile)]\nhttp: {listen: \"127.0.0.1:\(port)\"}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: state,
                                       arguments: ["--playbooks", playbooks, "--journal-directory", sandbox.journalDirectory])
        #expect(await daemon.awaitLog("the dashboard on http://127.0.0.1:\(port)/") != nil)
        let base = "http://127.0.0.1:\(port)"

        let browser = try HeadlessBrowser()
        try await browser.open(base + "/")
        #expect(try await browser.evaluate("document.querySelectorAll('tr.unit').length") as? Int == 3)
        #expect(try await browser.evaluate("document.querySelector('tr.unit[data-unit=\"\(victim)\"]').dataset.health") as? String == "healthy")
        // The live stream is open before the unit is killed; a marker shows the page is never reloaded.
        #expect(await eventually(10) { (try? await browser.evaluate("document.documentElement.dataset.live")) as? String == "open" })
        _ = try await browser.evaluate("window.loadedOnce = 'yes'")

        kill(try sandbox.mainPID(of: victim), SIGKILL)
        var shown: [String: Any]?
        #expect(await eventually(15) {
            let live = (try? await browser.evaluate("window.medicLive.filter(e => e.unit === '\(victim)' && e.health === 'failed')")) as? [[String: Any]]
            shown = live?.first
            return shown != nil
        }, "the board never showed \(victim) failed")
        if let shown, let detected = shown["detectedAt"] as? Double, let at = shown["shownAt"] as? Double {
            #expect(at - detected < 1000, "shown \(Int(at - detected)) ms after Medic's detection")
        }
        #expect(try await browser.evaluate("window.loadedOnce") as? String == "yes", "the page was reloaded")
        // Medic heals it with the playbook; the board follows back to healthy.
        #expect(await eventually(30) {
            (try? await browser.evaluate("document.querySelector('tr.unit[data-unit=\"\(victim)\"]').dataset.health")) as? String == "healthy"
        })
        #expect(await daemon.awaitLog("correction #", victim, "recovered") != nil)

        // Nothing a unit controls ran as script; it is shown as text.
        #expect(try await browser.evaluate("typeof window.pwned") as? String == "undefined")
        let description = try await browser.evaluate("document.querySelector('tr.unit[data-unit=\"\(hostile)\"] .muted').textContent") as? String
        #expect(description?.contains("<script>window.pwned=1</script>") == true, "\(description ?? "nil")")
        try await browser.open(base + "/units/" + hostile.replacingOccurrences(of: "\\", with: "%5C"))
        #expect(await eventually(20) {
            try? await browser.open(base + "/units/" + hostile.replacingOccurrences(of: "\\", with: "%5C"))
            return ((try? await browser.evaluate("document.querySelector('pre.journal')?.textContent ?? ''")) as? String)?.contains("journal-marker") == true
        }, "the unit page never showed the journal line")
        let journal = try await browser.evaluate("document.querySelector('pre.journal').textContent") as? String ?? ""
        #expect(journal.contains("\\x1b[2J<script>window.pwned=3</script>"), "\(journal)")
        #expect(try await browser.evaluate("typeof window.pwned") as? String == "undefined")
        #expect(try await browser.evaluate("document.scripts.length") as? Int == 1, "only the dashboard's own script")

        // The victim's page: availability bar and burn-down with data, the burn rates, its correction.
        try await browser.open(base + "/units/" + victim)
        let points = try await browser.evaluate("document.querySelector('svg.burn polyline.burn-line').getAttribute('points').trim().split(' ').length") as? Int ?? 0
        #expect(points >= 2, "burn-down points: \(points)")
        #expect(try await browser.evaluate("document.querySelectorAll('svg.availability rect.bad').length") as? Int ?? 0 >= 1, "the outage shows in the bar")
        #expect(try await browser.evaluate("document.querySelectorAll('table.burn-rates tbody tr').length") as? Int ?? 0 >= 1)
        #expect((try await browser.evaluate("document.querySelector('pre.explain').textContent") as? String)?.contains("\(victim): healthy") == true)
        let link = try #require(try await browser.evaluate("document.querySelector('table.corrections a').getAttribute('href')") as? String)
        try await browser.open(base + link)
        let steps = try await browser.evaluate("Array.from(document.querySelectorAll('table.steps tr.step td:nth-child(2)')).map(td => td.textContent)") as? [String] ?? []
        #expect(steps.contains { $0.hasPrefix("restart") }, "steps: \(steps)")
        #expect((try await browser.evaluate("document.querySelector('h1').textContent") as? String)?.contains("recovered") == true)
        // The corrections list and its filters (a GET form), and what was learned.
        try await browser.open(base + "/corrections?unit=\(victim)&outcome=recovered")
        #expect(try await browser.evaluate("document.querySelectorAll('table.corrections tr.correction').length") as? Int ?? 0 >= 1)
        try await browser.open(base + "/corrections?unit=\(steady)")
        #expect(try await browser.evaluate("document.querySelectorAll('table.corrections tr.correction').length") as? Int == 0)
        try await browser.open(base + "/stats")
        #expect((try await browser.evaluate("document.querySelector('table.stats').textContent") as? String)?.contains("restart-on-failure") == true)

        // The API serves the CLI's documents: the same keys and the same units (once the daemon has
        // evaluated the budgets, which the CLI computes on the spot).
        var api: [String: Any] = [:]
        #expect(await eventually(20) {
            api = await HTTP.json(base + "/api/v1/status") as? [String: Any] ?? [:]
            return (api["units"] as? [[String: Any]])?.allSatisfy { $0["slo"] != nil } == true
        })
        let cli = try #require(try JSONSerialization.jsonObject(with: Data(MedicBinary.run(["status", "--json", "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state, steady, victim, hostile]).standardOutput.utf8)) as? [String: Any])
        #expect(Set(api.keys) == Set(cli.keys))
        let apiUnits = (api["units"] as? [[String: Any]] ?? []).map { $0["unit"] as? String ?? "" }
        let cliUnits = (cli["units"] as? [[String: Any]] ?? []).map { $0["unit"] as? String ?? "" }
        #expect(Set(apiUnits) == Set(cliUnits), "\(apiUnits) vs \(cliUnits)")
        #expect(Set((api["units"] as? [[String: Any]])?.first?.keys.map { $0 } ?? []) == Set((cli["units"] as? [[String: Any]])?.first?.keys.map { $0 } ?? []))
        let history = try #require(await HTTP.json(base + "/api/v1/history?unit=\(victim)") as? [String: Any])
        let cliHistory = try #require(try JSONSerialization.jsonObject(with: Data(MedicBinary.run(["history", "--json", "--state-dir", state, "--unit", victim]).standardOutput.utf8)) as? [String: Any])
        #expect((history["corrections"] as? [[String: Any]])?.map { $0["id"] as? Int } == (cliHistory["corrections"] as? [[String: Any]])?.map { $0["id"] as? Int })
        let explain = try #require(await HTTP.json(base + "/api/v1/explain/\(steady)") as? [String: Any])
        #expect(explain["health"] as? String == "healthy")
        #expect(await HTTP.json(base + "/api/v1/slo") as? [String: Any] != nil)
        #expect(await HTTP.json(base + "/api/v1/stats") as? [String: Any] != nil)
        #expect(await HTTP.get(base + "/api/v1/history/999999")?.status == 404)
        #expect(await HTTP.get(base + "/api/v1/history?outcome=nonsense")?.status == 400)

        // The report file: the same units with the same health, and no script at all.
        let file = sandbox.runtimeDirectory + "/report.html"
        let written = try MedicBinary.run(["report", "--html", file, "--bus-address", sandbox.busAddress, "--config", config, "--state-dir", state])
        #expect(written.status == 0, "\(written.standardError)")
        try await browser.open("file://" + file)
        let reported = try await browser.evaluate("Object.fromEntries(Array.from(document.querySelectorAll('tr.unit')).map(r => [r.dataset.unit, r.dataset.health]))") as? [String: String] ?? [:]
        let board = try #require(await HTTP.json(base + "/api/v1/status") as? [String: Any])
        let served = Dictionary(uniqueKeysWithValues: (board["units"] as? [[String: Any]] ?? []).map { ($0["unit"] as? String ?? "", $0["health"] as? String ?? "") })
        #expect(reported == served, "report \(reported) vs board \(served)")
        #expect(try await browser.evaluate("document.scripts.length") as? Int == 0)
        #expect(try await browser.evaluate("document.querySelectorAll('svg.burn polyline.burn-line').length") as? Int == 3)
        #expect(try await browser.evaluate("typeof window.pwned") as? String == "undefined")
        daemon.stop()
    }

    @Test("read-only, Host-checked on loopback, token-guarded elsewhere, with a CSP")
    func guarded() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let unit = uniqueUnit("guarded")
        try sandbox.runService(unit, ["/bin/sleep", "infinity"])
        let port = try freePort()
        let config = sandbox.runtimeDirectory + "/medic.yaml"
        let token = "s3cret-token-for-medic-tests"
        let tokenFile = sandbox.runtimeDirectory + "/token"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        chmod(tokenFile, 0o600)
        try "watch: [\(unit)]\nhttp: {listen: \"127.0.0.1:\(port)\", token-file: \(tokenFile)}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(in: sandbox, config: config, stateDirectory: sandbox.runtimeDirectory + "/state")
        #expect(await daemon.awaitLog("the dashboard on http://127.0.0.1:\(port)/") != nil)
        let base = "http://127.0.0.1:\(port)"
        let bearer = ["Authorization": "Bearer \(token)"]
        #expect(await HTTP.request(base + "/", headers: [:])?.status == 401)
        #expect(await HTTP.request(base + "/", headers: ["Authorization": "Bearer wrong-token-of-some-length"])?.status == 401)
        let page = try #require(await HTTP.request(base + "/", headers: bearer))
        #expect(page.status == 200)
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        #expect(page.headers["content-security-policy"]?.contains("unsafe") == false)
        #expect(page.body.contains(unit))
        // DNS rebinding: a page on evil.example that resolves to 127.0.0.1 is refused.
        #expect(await HTTP.request(base + "/api/v1/status", headers: bearer.merging(["Host": "evil.example:\(port)"]) { a, _ in a })?.status == 421)
        #expect(await HTTP.request(base + "/api/v1/status", headers: bearer.merging(["Host": "localhost:\(port)"]) { a, _ in a })?.status == 200)
        // Nothing changes anything.
        #expect(await HTTP.request(base + "/api/v1/status", method: "POST", headers: bearer)?.status == 405)
        #expect(await HTTP.request(base + "/metrics", headers: bearer)?.status == 200)

        // A browser keeping the live stream open does not hold up a stop: SIGTERM ends the stream and Medic.
        let stream = try await HTTP.stream(base + "/api/v1/events", headers: bearer)
        #expect(stream.status == 200)
        #expect(stream.contentType == "text/event-stream")
        let hello = await stream.next() ?? ""
        #expect(hello.contains("event: hello"), "\(hello)")
        #expect(daemon.stop() == 0, "medic run stopped cleanly with a stream open")
        while await stream.next() != nil {}
    }
}
