import ArgumentParser
import Logging
import Foundation
import MedicConfig
import MedicCore
import MedicEngine
import MedicHTTP
import MedicStore
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

    @Option(name: .customLong("playbooks"), help: ArgumentHelp("Playbook files or directories (default: /etc/medic/playbooks as root, $XDG_CONFIG_HOME/medic/playbooks otherwise, if it exists; else the packaged or shipped set, logged).", valueName: "path"))
    var playbookPaths: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Decide and record corrections, change nothing on systemd.")
    var dryRun = false

    @Option(name: .customLong("drain-timeout"), help: ArgumentHelp("On SIGTERM, wait this long for running corrections to verify or roll back (e.g. 60s); those still running stay open and the next start finishes them.", valueName: "duration"))
    var drainTimeout: String = "60s"

    @Option(name: .customLong("listen"), help: ArgumentHelp("Serve the dashboard at http://ADDRESS/ and Prometheus metrics at /metrics: HOST:PORT, a bare port (loopback), or a unix socket path; overrides http.listen in medic.yaml.", valueName: "address"))
    var listen: String?

    @Option(name: .customLong("journal-directory"), help: ArgumentHelp("Read journal files from this directory for playbooks that match on journal lines and the dashboard (default: the machine's journal).", valueName: "dir"))
    var journalDirectory: String?

    func run() async throws {
        var listenAddress: ListenAddress?
        if let listen {
            switch ListenAddress.parse(listen) {
            case .success(let address): listenAddress = address
            case .failure(let problem): throw MedicFailure("--listen: \(problem)")
            }
        }
        guard let drain = DurationText.parse(drainTimeout) else {
            throw MedicFailure("--drain-timeout: expected a duration such as 30s or 1m, got '\(drainTimeout)'")
        }
        let configuration = try state.configuration()
        let store = try state.openDaemonStore()
        var logger = Logger(label: "medic")
        logger[metadataKey: "medic.dry-run"] = dryRun ? "true" : "false"
        Self.keepAvailabilitySums(store, under: configuration.availability, logger: logger)
        let address = manager.address
        let live = LiveConfiguration(configuration)
        var supervisor = SupervisorService(address: address, store: store, configuration: live, logger: logger, storePath: state.storePath)
        let paths = playbookSearchPaths(logger: logger)
        let playbooks = try loadPlaybooks(paths)
        var planner = CorrectionPlanner(playbooks: playbooks, protection: configuration.protection, limits: configuration.limits, dryRun: dryRun)
        planner.learning = configuration.learning
        let corrections = CorrectionService(planner: planner, store: store, address: address, logger: logger)
        await corrections.useSLO(SLOQuery(store: store, configuration: configuration))
        await corrections.useJournal(JournalLines(directory: journalDirectory))
        supervisor.corrections = corrections
        supervisor.correctionDrainTimeout = drain
        supervisor.statePath = DaemonState.path(besideStore: state.storePath)
        logger.notice("\(playbooks.count) playbooks loaded\(dryRun ? " (dry-run)" : "")")
        // SIGHUP must never end Medic, even before the reload service is listening.
        signal(SIGHUP, SIG_IGN)
        let explicitConfig = state.configPath
        let trusted = Self.trustedOwner
        let reload = ReloadService(
            load: { Self.loadForReload(configPath: explicitConfig, playbookPaths: paths, trustedOwner: trusted) },
            configuration: live, corrections: corrections, supervisor: supervisor, store: store, logger: logger
        )
        let feed = LiveFeed()
        supervisor.onEvent = { await feed.watched($0) }
        supervisor.onEvaluation = { await feed.evaluated($0) }
        await corrections.useActivity { await feed.correction($0) }
        let finalSupervisor = supervisor
        let dashboard = Dashboard(
            figures: { await finalSupervisor.figures() }, store: store, configuration: live, playbooks: { await corrections.playbooks }, address: address,
            statePath: DaemonState.path(besideStore: state.storePath), journal: JournalLines(directory: journalDirectory), host: configuration.export.alerts.host ?? HostName.current, feed: feed
        )
        var services: [any Service] = [supervisor, reload]
        services += try exporters(configuration.export, listen: listenAddress, supervisor: supervisor, dashboard: dashboard, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { .init(service: $0) },
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

    /// Has the store keep each row's running availability sums under `policy`, in the background:
    /// SLO reports read two rows per unit for the SLO window instead of every change in it, and until
    /// the stored rows are summed under this policy they are read the slow way.
    static func keepAvailabilitySums(_ store: MedicStore, under policy: AvailabilityPolicy, logger: Logger) {
        Task {
            let started = Date()
            do {
                if try await store.keepAvailabilitySums(under: policy) {
                    logger.notice("summed the stored history's availability under the current policy in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
                }
            } catch {
                logger.warning("cannot sum the stored history's availability (SLO reports read every change instead): \(error)")
            }
        }
    }

    /// The HTTP server (metrics and dashboard), the textfile and the alert sender, as configured (none
    /// by default). The dashboard is served on loopback and unix sockets; elsewhere only with a token.
    private func exporters(_ settings: ExportSettings, listen: ListenAddress?, supervisor: SupervisorService, dashboard: Dashboard, logger: Logger) throws -> [any Service] {
        var services: [any Service] = []
        let figures: @Sendable () async -> DaemonFigures = { await supervisor.figures() }
        let address = listen ?? settings.listen
        if address != nil || settings.textfile != nil {
            let exposition = MetricsExposition()
            exposition.bootstrapMetricsSystem()
            if let address {
                var token: String?
                if let path = settings.tokenFile {
                    do {
                        token = try TokenFile.read(path, trustedOwner: Self.trustedOwner)
                    } catch {
                        throw MedicFailure("http.token-file: \(error)")
                    }
                }
                var served: Dashboard? = dashboard
                if !address.isLocal && token == nil {
                    served = nil
                    logger.warning("serving metrics on \(address), reachable from other hosts, without authentication; the dashboard is off there until http.token-file names a bearer token")
                }
                services.append(HTTPServer(address: address, exposition: exposition, logger: logger, dashboard: served, token: token, figures: figures))
            }
            if let path = settings.textfile {
                services.append(MetricsTextfile(path: path, interval: settings.textfileInterval, exposition: exposition, logger: logger, figures: figures))
            }
        }
        let alerts = settings.alerts
        if !alerts.alertmanagers.isEmpty {
            logger.notice("sending alerts to \(alerts.alertmanagers.joined(separator: ", ")) (re-sent every \(Int(alerts.resend)) s while active)")
            services.append(AlertSender(alertmanagers: alerts.alertmanagers, resend: alerts.resend, host: alerts.host, logger: logger, figures: figures))
        }
        return services
    }

    /// The configuration and the playbooks read anew, or every problem with either.
    static func loadForReload(configPath: String?, playbookPaths: [String], trustedOwner: uid_t) -> Result<(MedicConfiguration, [Playbook]), ReloadService.ReloadRefusal> {
        var problems: [String] = []
        var configuration: MedicConfiguration?
        do {
            configuration = try ConfigLoader.load(explicitPath: configPath, isRoot: geteuid() == 0, environment: ProcessInfo.processInfo.environment, trustedOwner: RunCommand.trustedOwner)
        } catch {
            problems.append("invalid configuration: \(error)")
        }
        let set = playbookPaths.isEmpty ? nil : PlaybookLoader.load(paths: playbookPaths, trustedOwner: trustedOwner)
        problems += set?.problems.map(\.description) ?? []
        guard let configuration, problems.isEmpty else {
            let summary = problems.count == 1 ? problems[0] : "\(problems.count) problems, the first: \(problems[0])"
            return .failure(.init(problems: problems, summary: summary))
        }
        return .success((configuration, set?.playbooks ?? []))
    }

    /// Root trusts only root's files; a user trusts their own.
    static var trustedOwner: uid_t { geteuid() == 0 ? 0 : geteuid() }

    /// `--playbooks`, else the installed, packaged or shipped set (`PlaybookLocator`), logged.
    private func playbookSearchPaths(logger: Logger) -> [String] {
        let location = PlaybookOptions.locate(playbookPaths)
        logger.notice("using \(location.description)")
        return location.paths
    }

    /// The playbook set, all or nothing: an invalid set stops Medic before it starts.
    private func loadPlaybooks(_ paths: [String]) throws -> [Playbook] {
        guard !paths.isEmpty else { return [] }
        let set = PlaybookLoader.load(paths: paths, trustedOwner: Self.trustedOwner)
        guard set.isValid else {
            for problem in set.problems { Output.error(problem.description) }
            throw MedicFailure("refusing an invalid playbook set (\(set.problems.count) problems)")
        }
        return set.playbooks
    }
}
