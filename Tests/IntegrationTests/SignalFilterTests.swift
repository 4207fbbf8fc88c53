import Foundation
import MedicTestSupport
import SystemdBus
import SystemdSandbox
import Testing

/// Decoding only the properties a watcher uses, on a real manager's signals.
@Suite("PropertiesChanged decoding")
struct SignalFilterTests {
    @Test("a connection told which properties to keep decodes only those, and still every signal")
    func keptProperties() async throws {
        let sandbox = try SystemdSandbox.start(name: "medic-test")
        defer { sandbox.stop() }
        let name = uniqueUnit("filtered")
        try sandbox.install(units: [name: "[Service]\nExecStart=/bin/sleep infinity\n"])
        let bus = try BusConnection.open(.address(sandbox.busAddress), description: "filter-test")
        defer { bus.close() }
        bus.keepChangedProperties(["ActiveState", "NRestarts"])
        let manager = SystemdManager(bus: bus)
        try await manager.subscribe()
        guard let path = UnitObjectPath.encode(name) else { Issue.record("no path for \(name)"); return }
        _ = try await manager.enqueue(.start, unit: name)

        var seen: [String: [String: BusValue]] = [:]  // interface -> changed
        for await batch in bus.signals {
            for signal in batch where signal.path == path {
                guard case .propertiesChanged(_, let interface, let changed, _)? = ManagerEvent(signal: signal) else { continue }
                seen[interface, default: [:]].merge(changed) { _, new in new }
            }
            if seen["org.freedesktop.systemd1.Unit"]?["ActiveState"]?.string == "active", seen["org.freedesktop.systemd1.Service"] != nil { break }
        }
        #expect(seen["org.freedesktop.systemd1.Unit"]?["ActiveState"]?.string == "active")
        #expect(Set(seen.values.flatMap(\.keys)).isSubset(of: ["ActiveState", "NRestarts"]), "\(seen)")
        #expect(seen["org.freedesktop.systemd1.Service"]?["NRestarts"] != nil, "the service interface's signal arrived, with the kept value")
    }
}
