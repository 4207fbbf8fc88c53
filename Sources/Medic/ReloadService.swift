import Dispatch
import Foundation
import Logging
import MedicConfig
import MedicCore
import MedicEngine
import MedicStore
import ServiceLifecycle
import SystemdBus

/// Reloads the configuration and the playbooks on SIGHUP (what `systemctl reload medic` sends), all
/// or nothing: when either is invalid the whole reload is refused, every problem is logged, the
/// refusal is recorded for `medic status`, and what was in use stays in use.
struct ReloadService: Service {
    /// Reads both anew; the error lists every problem.
    let load: @Sendable () -> Result<(MedicConfiguration, [Playbook]), ReloadRefusal>
    let configuration: LiveConfiguration
    let corrections: CorrectionService
    let supervisor: SupervisorService
    let store: MedicStore
    let logger: Logger

    /// Why a reload was refused: one line per problem, and a summary.
    struct ReloadRefusal: Error {
        var problems: [String]
        var summary: String
    }

    func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in hangups { await reload() }
        }
    }

    private func reload() async {
        let notifier = supervisor.notifier
        notifier.reloading()
        defer { notifier.send("READY=1") }
        let now = Date().timeIntervalSince1970
        switch load() {
        case .success(let (new, playbooks)):
            let exportChanged = configuration.current.export != new.export
            let restarted = configuration.replace(with: new)
            await corrections.reconfigure(playbooks: playbooks, protection: new.protection, limits: new.limits, learning: new.learning)
            await corrections.useSLO(SLOQuery(store: store, configuration: new))
            RunCommand.keepAvailabilitySums(store, under: new.availability, logger: logger)
            await supervisor.reloadRefused(nil)
            try? await store.recordReload(error: nil, at: now)
            logger.notice("reloaded the configuration and \(playbooks.count) playbooks\(restarted ? "; watching anew" : "")")
            if exportChanged {
                logger.warning("http, metrics and alerts settings changed: they take effect when medic run restarts (systemctl restart medic)")
            }
        case .failure(let refusal):
            for problem in refusal.problems { logger.error("\(problem)") }
            await supervisor.reloadRefused(refusal.summary)
            try? await store.recordReload(error: refusal.summary, at: now)
            let kept = await corrections.playbookCount
            logger.error("refusing the reload: \(refusal.summary); the configuration and the \(kept) playbooks in use stay in use")
        }
    }
}
