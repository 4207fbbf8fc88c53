import Foundation
import Logging
import MedicEngine
import ServiceLifecycle

/// Writes the metrics to a node_exporter textfile-collector file every `interval` seconds, atomically
/// (written aside in the same directory, then renamed), so that a hardened Medic needs no network.
/// At a clean stop it writes once more with `medic_up 0`. A write that fails is said once per
/// change of error and tried again at the next interval.
public struct MetricsTextfile: Service {
    public var path: String
    public var interval: Double
    public var exposition: MetricsExposition
    public var figures: @Sendable () async -> DaemonFigures
    public var logger: Logger

    public init(path: String, interval: Double, exposition: MetricsExposition, logger: Logger, figures: @escaping @Sendable () async -> DaemonFigures) {
        self.path = path
        self.interval = interval
        self.exposition = exposition
        self.figures = figures
        self.logger = logger
    }

    public func run() async throws {
        var lastProblem: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            lastProblem = await write(up: true, lastProblem: lastProblem)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
        _ = await write(up: false, lastProblem: lastProblem)
    }

    /// Writes once; returns the problem, if any (said only when it differs from the last one).
    private func write(up: Bool, lastProblem: String?) async -> String? {
        let text = exposition.render(await figures(), up: up)
        do {
            try Self.replace(path, with: Data(text))
            if lastProblem != nil { logger.notice("writing the metrics textfile \(path) works again") }
            return nil
        } catch {
            let problem = "\(error)"
            if problem != lastProblem { logger.error("cannot write the metrics textfile \(path): \(problem); trying again every \(Int(interval)) s") }
            return problem
        }
    }

    /// Writes `data` beside `path` and renames it over `path`: readers see the old file or the new one.
    static func replace(_ path: String, with data: Data) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        // node_exporter ignores files not ending in .prom, so the temporary one is never read half written.
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw TextfileError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        // node_exporter reads it as another user, whatever Medic's umask (0077 in its unit).
        chmod(temporary, 0o644)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TextfileError(description: "cannot rename \(temporary) to \(path): \(reason)")
        }
    }

    struct TextfileError: Error, CustomStringConvertible {
        var description: String
    }
}
