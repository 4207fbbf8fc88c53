import Foundation
import Hummingbird
import Logging
import MedicConfig
import MedicEngine
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text exposition) on a TCP address or a unix socket, with
/// Hummingbird. It never stops supervision: when the address cannot be bound (in use, no
/// permission), it says so once and tries again with backoff until it can.
public struct MetricsServer: Service {
    public var address: ListenAddress
    public var exposition: MetricsExposition
    public var figures: @Sendable () async -> DaemonFigures
    public var logger: Logger

    public init(address: ListenAddress, exposition: MetricsExposition, logger: Logger, figures: @escaping @Sendable () async -> DaemonFigures) {
        self.address = address
        self.exposition = exposition
        self.figures = figures
        self.logger = logger
    }

    /// The media type of the text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public func run() async throws {
        let router = Router()
        let exposition = self.exposition, figures = self.figures
        router.get("/metrics") { _, _ -> Response in
            let body = exposition.render(await figures())
            return Response(status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/") { _, _ -> String in
            "Medic \(MedicVersion.current): metrics at /metrics\n"
        }
        // Requests are not logged one by one; problems are.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)
        var attempt = 0
        let logger = self.logger
        while !Task.isCancelled {
            if case .unix(let path) = address { Self.removeStaleSocket(path) }
            let application = Application(router: router, configuration: .init(address: bindAddress, serverName: "medic"),
                                          onServerRunning: { _ in logger.notice("serving metrics on http://\(address)/metrics") }, logger: serverLogger)
            do {
                try await application.run()
                return
            } catch is CancellationError {
                return
            } catch {
                attempt += 1
                let delay = min(60.0, pow(2, Double(min(attempt, 6))))
                if attempt == 1 { logger.error("cannot serve metrics on \(address): \(error); trying again every \(Int(delay)) s up to a minute") }
                try? await gracefulShutdownAware(sleep: delay)
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
            }
        }
    }

    private var bindAddress: BindAddress {
        switch address {
        case .tcp(let host, let port): return .hostname(host, port: port)
        case .unix(let path): return .unixDomainSocket(path: path)
        }
    }

    /// A socket left by an earlier run would make the bind fail; anything else at the path is left alone.
    static func removeStaleSocket(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return }
        unlink(path)
    }

    private func gracefulShutdownAware(sleep seconds: Double) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
    }
}
