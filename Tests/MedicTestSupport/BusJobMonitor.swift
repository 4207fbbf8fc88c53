import Foundation
import SystemdSandbox

/// An independent witness of what anyone asked systemd to do: `busctl monitor` on the sandbox's bus,
/// recording every manager call that changes a unit (start, stop, restart, reset-failed, kill,
/// set-property, ...). Tests prove with it that Medic did nothing, rather than trusting Medic's history.
/// `systemctl` in tests uses the manager's private socket, so its own calls are not seen here.
public final class BusJobMonitor: @unchecked Sendable {
    /// One method call seen on the bus.
    public struct Call: Sendable, Equatable {
        public var member: String
        public var unit: String
        public var sender: String
    }

    /// Manager methods that change a unit.
    public static let changing: Set<String> = [
        "StartUnit", "StopUnit", "RestartUnit", "TryRestartUnit", "ReloadOrRestartUnit", "ReloadOrTryRestartUnit", "ReloadUnit",
        "ResetFailedUnit", "KillUnit", "SetUnitProperties", "EnqueueUnitJob", "StartUnitReplace",
    ]

    private let child: ChildProcess
    private let lines: LineReader

    /// Starts the monitor and waits until it is listening.
    public init(_ sandbox: SystemdSandbox) throws {
        child = try ChildProcess.spawn(
            ["busctl", "--user", "monitor", "--json=short",
             "--match=type='method_call',interface='org.freedesktop.systemd1.Manager'"],
            environment: sandbox.environment, standardOutput: .pipe
        )
        lines = LineReader(fd: child.standardOutput)
        // busctl prints nothing until a message arrives: make one (a harmless call over the bus; systemctl
        // itself talks to the manager's private socket, which no monitor sees) and wait for it.
        for _ in 0..<50 {
            _ = try? sandbox.run(["busctl", "--user", "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "ListJobs"])
            if lines.waitFor(timeout: 0.2, { $0.contains("\"member\":\"") }) != nil { return }
        }
        throw SandboxError("busctl monitor did not start: \(lines.all.prefix(5))")
    }

    /// The unit-changing calls seen so far, in order.
    public var calls: [Call] {
        lines.all.compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let member = object["member"] as? String, Self.changing.contains(member),
                  let payload = object["payload"] as? [String: Any], let data = payload["data"] as? [Any],
                  let unit = data.first as? String else { return nil }
            return Call(member: member, unit: unit, sender: object["sender"] as? String ?? "")
        }
    }

    /// Every manager method called so far, in order, with its first argument when that is a string
    /// (the unit for unit methods): daemon-reloads and transient units included.
    public var allCalls: [Call] {
        lines.all.compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let member = object["member"] as? String else { return nil }
            let first = ((object["payload"] as? [String: Any])?["data"] as? [Any])?.first as? String
            return Call(member: member, unit: first ?? "", sender: object["sender"] as? String ?? "")
        }
    }

    /// The unit-changing calls on one unit.
    public func calls(on unit: String) -> [Call] {
        calls.filter { $0.unit == unit }
    }

    public func stop() {
        child.signal(SIGKILL)
        _ = child.wait()
    }

    deinit { stop() }
}
