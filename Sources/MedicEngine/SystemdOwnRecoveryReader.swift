import MedicCore
import SystemdBus

/// Reads what systemd itself does about a unit's failures (Restart=, its start limit, OnFailure=).
public enum SystemdOwnRecoveryReader {
    static let names: Set = ["Restart", "RestartUSec", "NRestarts", "StartLimitBurst", "StartLimitIntervalUSec", "OnFailure"]

    public static func read(unit: String, address: BusAddress) async throws(BusError) -> SystemdOwnRecovery {
        let bus = try BusConnection.open(address)
        defer { bus.close() }
        let manager = SystemdManager(bus: bus)
        let properties = try await manager.properties(of: try await manager.loadUnit(unit), keeping: names)
        return SystemdOwnRecovery(
            restart: properties["Restart"]?.string,
            restartDelay: properties["RestartUSec"]?.uint64.map { Double($0) / 1_000_000 },
            restarts: properties["NRestarts"]?.uint64.map { UInt32(clamping: $0) },
            startLimitBurst: properties["StartLimitBurst"]?.uint64.map { UInt32(clamping: $0) },
            startLimitInterval: properties["StartLimitIntervalUSec"]?.uint64.map { Double($0) / 1_000_000 },
            onFailure: properties["OnFailure"]?.array?.compactMap(\.string) ?? []
        )
    }
}
