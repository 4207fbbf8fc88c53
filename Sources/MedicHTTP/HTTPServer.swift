import Foundation
import Hummingbird
import Logging
import MedicConfig
import MedicEngine
import ServiceLifecycle

/// Medic's HTTP server, with Hummingbird, on a TCP address or a unix socket: `GET /metrics`
/// (Prometheus text exposition) and, when given, the read-only dashboard with its API and live
/// event stream. With a token every request must carry it. It never stops supervision: when the
/// address cannot be bound (in use, no permission), it says so once and tries again with backoff.
public struct HTTPServer: Service {
    public var address: ListenAddress
    public var exposition: MetricsExposition
    public var figures: @Sendable () async -> DaemonFigures
    public var logger: Logger
    public var dashboard: Dashboard?
    /// The bearer token every request must carry (nil: none asked).
    public var token: String?

    public init(address: ListenAddress, exposition: MetricsExposition, logger: Logger, dashboard: Dashboard? = nil, token: String? = nil,
                figures: @escaping @Sendable () async -> DaemonFigures) {
        self.address = address
        self.exposition = exposition
        self.figures = figures
        self.logger = logger
        self.dashboard = dashboard
        self.token = token
    }

    /// The media type of the text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public func run() async throws {
        let router = Router()
        router.add(middleware: RequestGuard(address: address, token: token))
        let exposition = self.exposition, figures = self.figures
        router.get("/metrics") { _, _ -> Response in
            let body = exposition.render(await figures())
            return Response(status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        if let dashboard {
            DashboardRoutes.add(to: router, dashboard: dashboard)
        } else {
            router.get("/") { _, _ -> String in
                "Medic \(MedicVersion.current): metrics at /metrics\n"
            }
        }
        // Requests are not logged one by one; problems are.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)
        var attempt = 0
        let logger = self.logger
        while !Task.isCancelled {
            if case .unix(let path) = address { Self.removeStaleSocket(path) }
            let application = Application(router: router, configuration: .init(address: bindAddress, serverName: "medic"),
                                          onServerRunning: { [dashboard] _ in
                                              logger.notice("serving metrics on http://\(address)/metrics\(dashboard == nil ? "" : " and the dashboard on http://\(address)/")")
                                          }, logger: serverLogger)
            do {
                // Open event streams end at once: a shutdown must not wait for browsers to hang up.
                let feed = dashboard?.feed
                try await withGracefulShutdownHandler {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await application.run() }
                        if let feed {
                            group.addTask {
                                while !Task.isCancelled {
                                    try await Task.sleep(for: .seconds(15))
                                    await feed.keepalive()
                                }
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                } onGracefulShutdown: {
                    if let feed { Task { await feed.close() } }
                }
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
