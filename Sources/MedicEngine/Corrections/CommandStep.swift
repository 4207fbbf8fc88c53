import AsyncHTTPClient
import Foundation
import MedicCore
import NIOCore
import ProcessRunner

/// The `run` and `notify` steps: commands as argv lists (never a shell) with the unit in their
/// environment, each contained in its own process group; webhooks posted with an HTTP client, so a
/// notification's body never appears on a command line.
enum CommandStep {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// How long a command's process group has between SIGTERM and SIGKILL.
    static let terminationGrace: Double = 5

    /// Posts a small JSON document about the unit to a webhook; any 2xx answer is success.
    static func post(to url: String, unit: UnitSnapshot, timeout: Double = 10) async throws {
        let document: [String: String] = [
            "unit": unit.name, "activeState": unit.activeState, "subState": unit.subState, "result": unit.result ?? "",
            "time": Timestamp.rfc3339(seconds: Date().timeIntervalSince1970),
        ]
        let body = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "medic")
        request.body = .bytes(Array(body))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            _ = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw Failure(description: "the webhook \(url) failed: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "the webhook \(url) answered \(response.status.code) \(response.status.reasonPhrase)")
        }
    }

    /// Runs a command in its own process group. On timeout the group gets SIGTERM, then SIGKILL after
    /// `terminationGrace`; whatever the command left running in its group when it exited is ended
    /// the same way, so nothing a step starts outlives it (short of leaving the group on purpose).
    static func run(_ argv: [String], user: String?, timeout: Double, unit: UnitSnapshot, grace: Double = terminationGrace) async throws {
        var environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        environment["MEDIC_UNIT"] = unit.name
        environment["MEDIC_RESULT"] = unit.result ?? ""
        environment["MEDIC_EXIT_STATUS"] = unit.execMainStatus.map(String.init) ?? ""
        environment["MEDIC_HEALTH_STATE"] = "\(unit.activeState)/\(unit.subState)"
        let command = user.map { ["/usr/sbin/runuser", "-u", $0, "--"] + argv } ?? argv
        let child = try ChildProcess.spawn(command, environment: environment, ownProcessGroup: true)
        let exited = Task.detached { child.wait() }
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await exited.value }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await endGroup(of: child, grace: grace)
        _ = await exited.value
        guard let status else { throw Failure(description: "\(argv[0]) did not finish within \(FailureDescription.window(timeout)) and was stopped") }
        guard status == 0 else { throw Failure(description: "\(argv[0]) exited with status \(status)") }
    }

    /// SIGTERM to the group, then SIGKILL to whatever is left after the grace period.
    private static func endGroup(of child: ChildProcess, grace: Double) async {
        guard child.signalGroup(SIGTERM) else { return }
        _ = child.signalGroup(SIGCONT)
        let deadline = ContinuousClock.now + .seconds(grace)
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            // Reaps the leader if it has exited; then only the rest of the group remains to check.
            _ = child.isRunning
            if !child.signalGroup(0) { return }
        }
        child.signalGroup(SIGKILL)
    }
}
