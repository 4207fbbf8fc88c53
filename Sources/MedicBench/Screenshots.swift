import Foundation
import MedicTestSupport
import SystemdSandbox

/// README's screenshots: a sandboxed manager with a few units (one crashing now and then, one failed
/// for good, a timer's job idle), `medic run` serving the dashboard with a restart playbook, and
/// Debian's headless chromium taking `board.png` and `unit.png`.
struct Screenshots {
    var binary: String
    var directory: String

    func run() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-shots", journal: true)
        defer { sandbox.stop() }
        try sandbox.install(units: [
            "web-frontend.service": "[Unit]\nDescription=Web front end\n[Service]\nExecStart=/bin/sleep infinity\n",
            "api.service": "[Unit]\nDescription=Public API\n[Service]\nExecStart=/bin/sleep infinity\n",
            "worker.service": "[Unit]\nDescription=Queue worker (crashes now and then)\n[Service]\nExecStart=/bin/sh -c 'echo worker: processing; sleep 4; echo worker: lost the queue >&2; exit 1'\n",
            "billing.service": "[Unit]\nDescription=Billing export (misconfigured)\n[Service]\nExecStart=/bin/sh -c 'echo billing: cannot read /etc/billing.conf >&2; exit 3'\n",
            "backup.service": "[Unit]\nDescription=Nightly backup\n[Service]\nType=oneshot\nExecStart=/bin/true\n",
            "backup.timer": "[Unit]\nDescription=Nightly backup timer\n[Timer]\nOnCalendar=daily\n",
        ])
        _ = try sandbox.systemctl("daemon-reload")
        for unit in ["web-frontend.service", "api.service", "worker.service", "billing.service", "backup.timer"] { _ = try? sandbox.systemctl("start", unit) }
        let playbooks = sandbox.runtimeDirectory + "/playbooks"
        try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
        try "name: restart-worker\nmatch: {units: [worker.service]}\ntrigger: failure\nsteps:\n  - restart\nverify: {healthy-for: 2s, within: 10s}\nguard: {cooldown: 1s, max-attempts: 100}\n"
            .write(toFile: playbooks + "/restart.yaml", atomically: true, encoding: .utf8)
        let port = try freePort()
        let config = "watch: [web-frontend.service, api.service, worker.service, billing.service, backup.service, backup.timer]\nslo: {objective: 99, window: 1h, burn-rate-alerts: [{severity: page, long: 5m, short: 30s, threshold: 14.4}, {severity: ticket, long: 30m, short: 5m, threshold: 3}]}\nhttp: {listen: '127.0.0.1:\(port)'}\n"
        let daemon = try MedicDaemon(binary: binary, sandbox: sandbox, name: "shots", config: config,
                                     extra: ["--playbooks", playbooks, "--journal-directory", sandbox.journalDirectory])
        defer { daemon.stop() }
        say("letting the worker crash and be healed for 40 s ...")
        try await Task.sleep(for: .seconds(40))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let browser = try HeadlessBrowser()
        try await browser.open("http://127.0.0.1:\(port)/")
        try await Task.sleep(for: .seconds(2))
        try await browser.screenshot(to: directory + "/board.png")
        try await browser.open("http://127.0.0.1:\(port)/units/worker.service")
        try await Task.sleep(for: .seconds(1))
        try await browser.screenshot(to: directory + "/unit.png", wholePage: false)
        say("wrote \(directory)/board.png and \(directory)/unit.png")
    }
}
