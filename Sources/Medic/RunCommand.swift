import ArgumentParser
import Logging
import MedicCore
import MedicEngine
import ServiceLifecycle
import SystemdBus

/// `medic run`: the long-running supervisor.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch units, record their history and track their SLOs until stopped (SIGTERM/SIGINT)."
    )

    @OptionGroup var manager: ManagerOptions
    @OptionGroup var state: StateOptions

    @Flag(name: .customLong("dry-run"), help: "Change nothing on systemd (Medic does not correct units yet, so this is the only mode).")
    var dryRun = false

    func run() async throws {
        let configuration = try state.configuration()
        let store = try state.openStore()
        var logger = Logger(label: "medic")
        logger[metadataKey: "medic.dry-run"] = dryRun ? "true" : "false"
        let address = manager.address
        let watcher = UnitWatcher(address: address, patterns: configuration.watch, policy: configuration.health, logger: logger)
        let supervisor = SupervisorService(watcher: watcher, store: store, configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: supervisor)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.notice("starting", metadata: ["medic.store": "\(state.storePath)", "medic.bus": "\(address)"])
        do {
            try await group.run()
        } catch let error as BusError {
            throw MedicFailure(describeConnectionFailure(error, address: address))
        } catch let error as ServiceGroupError {
            throw MedicFailure("stopped: \(error)")
        }
    }
}
