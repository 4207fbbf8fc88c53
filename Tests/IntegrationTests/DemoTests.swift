import Foundation
import MedicTestSupport
import SystemdSandbox
import Testing

/// `medic demo` on a manager it does not own, as on a host whose systemd is PID 1.
@Suite("medic demo")
struct DemoTests {
    @Test("on a manager it does not own the demo creates transient units only (no unit file, no reload), heals, and removes them")
    func transientOnly() throws {
        try withSandbox { sandbox in
            let monitor = try BusJobMonitor(sandbox)
            defer { monitor.stop() }
            let result = try MedicBinary.run(["demo", "--bus-address", sandbox.busAddress, "--duration", "4s"], in: sandbox)
            let output = result.standardOutput
            #expect(result.status == 0, "\(output)\(result.standardError)")
            // It healed: the killed service restarted and verified, the useless fix rolled back.
            #expect(output.contains("medic-demo-web.service: failed: signal SIGKILL"), "\(output)")
            #expect(output.contains("outcome: recovered"), "\(output)")
            #expect(output.contains("outcome: rolled-back"), "\(output)")
            #expect(output.contains("Every demo unit is transient"), "\(output)")
            #expect(!output.contains("medic-demo-bogus.service"), "no unit file, so no unit with a bad setting: \(output)")

            // What the bus saw: the units were created by StartTransientUnit, and nobody reloaded
            // the manager (which would apply other people's pending unit edits).
            let calls = monitor.allCalls
            let transient = Set(calls.filter { $0.member == "StartTransientUnit" }.map(\.unit))
            #expect(transient == ["medic-demo-web.service", "medic-demo-crash.service", "medic-demo-flap.service", "medic-demo-batch.timer"], "\(calls)")
            #expect(!calls.contains { ["Reload", "Reexecute", "LinkUnitFiles", "EnableUnitFiles"].contains($0.member) }, "\(calls)")
            // Nothing left: no file anywhere the manager keeps units, drop-ins or transient files (all
            // under the sandbox's runtime directory), and no unit loaded.
            let files = FileManager.default.enumerator(atPath: sandbox.runtimeDirectory)?.compactMap { $0 as? String } ?? []
            #expect(!files.contains { $0.contains("medic-demo") }, "\(files.filter { $0.contains("medic-demo") })")
            let left = try sandbox.systemctl("list-units", "--all", "--plain", "--no-legend", "medic-demo*").standardOutput
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left loaded: \(left)")
        }
    }
}
