import ArgumentParser
import Logging
import Foundation
import MedicConfig
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

    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise, if it exists).", valueName: "path"))
    var playbookPaths: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Decide and record corrections, change nothing on systemd.")
    var dryRun = false

    func run() async throws {
        let configuration = try state.configuration()
        let store = try state.openStore()
        var logger = Logger(label: "medic")
        logger[metadataKey: "medic.dry-run"] = dryRun ? "true" : "false"
        let address = manager.address
        let watcher = UnitWatcher(address: address, patterns: configuration.watch, policy: configuration.health, logger: logger)
        var supervisor = SupervisorService(watcher: watcher, store: store, configuration: configuration, logger: logger)
        let playbooks = try loadPlaybooks()
        if !playbooks.isEmpty {
            let planner = CorrectionPlanner(playbooks: playbooks, protection: configuration.protection, limits: configuration.limits, dryRun: dryRun)
            let corrections = CorrectionService(planner: planner, store: store, address: address, logger: logger)
            await corrections.useSLO(SLOQuery(store: store, configuration: configuration))
            supervisor.corrections = corrections
            logger.notice("\(playbooks.count) playbooks loaded\(dryRun ? " (dry-run)" : "")")
        }
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

    /// The playbook set, all or nothing: an invalid set stops Medic before it starts.
    private func loadPlaybooks() throws -> [Playbook] {
        let isRoot = geteuid() == 0
        var paths = playbookPaths
        if paths.isEmpty {
            let conventional = PlaybookLoader.defaultDirectory(isRoot: isRoot, environment: ProcessInfo.processInfo.environment)
            guard FileManager.default.fileExists(atPath: conventional) else { return [] }
            paths = [conventional]
        }
        let set = PlaybookLoader.load(paths: paths, trustedOwner: isRoot ? 0 : geteuid())
        guard set.isValid else {
            for problem in set.problems { Output.error(problem.description) }
            throw MedicFailure("refusing an invalid playbook set (\(set.problems.count) problems)")
        }
        return set.playbooks
    }
}
