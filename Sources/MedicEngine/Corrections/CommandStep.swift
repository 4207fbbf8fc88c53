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
        /// The command did not finish in time and was stopped.
        var timedOut = false
    }

    /// How long a command's process group has between SIGTERM and SIGKILL.
    static let terminationGrace: Double = 5

    /// Posts a notice (`WebhookNotice`) as JSON to a webhook; any 2xx answer is success.
    static func post(to url: String, notice: WebhookNotice, timeout: Double = 10) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(notice)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "medic/\(MedicVersion.current)")
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
        // Polled rather than waited for: a blocking wait would hold one of the few cooperative threads
        // for as long as the command runs.
        let deadline = ContinuousClock.now + .seconds(timeout)
        var status: Int32?
        while status == nil, ContinuousClock.now < deadline, !Task.isCancelled {
            if child.isRunning { try? await Task.sleep(for: .milliseconds(20)) } else { status = child.wait() }
        }
        // A starved task may wake only after the deadline: a command that has exited by then did finish.
        if status == nil, !child.isRunning { status = child.wait() }
        await endGroup(of: child, grace: grace)
        guard let status else {
            throw Failure(description: "\(argv[0]) did not finish within \(FailureDescription.window(timeout)) and was stopped", timedOut: true)
        }
        guard status == 0 else { throw Failure(description: "\(argv[0]) exited with status \(status)") }
    }

    /// SIGTERM to the group, then SIGKILL to whatever is left after the grace period; returns once
    /// nothing in the group runs any more (a zombie waiting for its reaper runs nothing).
    private static func endGroup(of child: ChildProcess, grace: Double) async {
        guard child.groupHasLiveMembers() else { return }
        child.signalGroup(SIGTERM)
        child.signalGroup(SIGCONT)
        let deadline = ContinuousClock.now + .seconds(grace)
        while ContinuousClock.now < deadline {
            await pause()
            if !child.groupHasLiveMembers() { return }
        }
        child.signalGroup(SIGKILL)
        for _ in 0..<50 where child.groupHasLiveMembers() { await pause() }
    }

    /// 20 ms, also in a cancelled task (a shutdown): a cancelled sleep returns at once, and the
    /// loops above would spin through their grace period.
    private static func pause() async {
        do { try await Task.sleep(for: .milliseconds(20)) } catch { usleep(20_000) }
    }
}
