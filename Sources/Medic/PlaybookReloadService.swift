import Dispatch
import Foundation
import Logging
import MedicConfig
import MedicEngine
import ServiceLifecycle

/// Reloads the playbook set on SIGHUP, all or nothing: an invalid new set is refused and logged, and
/// the set in use stays in use.
struct PlaybookReloadService: Service {
    let corrections: CorrectionService
    let load: @Sendable () -> PlaybookSet
    let logger: Logger

    func run() async throws {
        let (hangups, continuation) = AsyncStream.makeStream(of: Void.self)
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        defer { source.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                let set = load()
                if set.isValid {
                    await corrections.replacePlaybooks(set.playbooks)
                    logger.notice("reloaded \(set.playbooks.count) playbooks")
                } else {
                    for problem in set.problems { logger.error("\(problem.description)") }
                    let kept = await corrections.playbookCount
                    logger.error("refusing the reloaded playbook set (\(set.problems.count) problems); keeping the \(kept) playbooks in use")
                }
            }
        }
    }
}
