import AsyncHTTPClient
import Foundation
import Logging
import MedicCore
import NIOCore
import ServiceLifecycle

/// Posts Medic's alerts to Alertmanager's v2 API (`POST /api/v2/alerts`), every `interval` seconds
/// working out what holds (`AlertConditions`), what to send (`AlertBook`) and when each Alertmanager
/// is due (`AlertDelivery`: backoff after a failure, one log line per outage). It runs beside
/// supervision and never waits on it: an unreachable Alertmanager costs one bounded request per
/// backoff step. A stop does not end the alerts (the conditions still hold): not re-sent, they end at
/// their `endsAt`, and a restarted Medic sends them again under the same labels.
public struct AlertSender: Service {
    public var alertmanagers: [String]
    public var resend: Double
    public var host: String
    public var interval: Double = 2
    public var figures: @Sendable () async -> DaemonFigures
    public var logger: Logger
    public var clock: WallClock = .system

    public init(alertmanagers: [String], resend: Double, host: String?, logger: Logger, figures: @escaping @Sendable () async -> DaemonFigures) {
        self.alertmanagers = alertmanagers
        self.resend = resend
        self.host = host ?? HostName.current
        self.figures = figures
        self.logger = logger
    }

    public func run() async throws {
        var book = AlertBook(resendEvery: resend)
        var deliveries = Dictionary(alertmanagers.map { ($0, AlertDelivery()) }, uniquingKeysWith: { first, _ in first })
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let outgoing = book.update(AlertConditions.from(await figures(), host: host), now: clock.now())
            await send(outgoing, through: &deliveries)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }

    private func send(_ alerts: [Alert], through deliveries: inout [String: AlertDelivery]) async {
        for url in alertmanagers {
            guard var delivery = deliveries[url] else { continue }
            delivery.enqueue(alerts)
            let due = delivery.due(now: clock.now())
            guard !due.isEmpty else {
                deliveries[url] = delivery
                continue
            }
            do {
                try await Self.post(due, to: url)
                if delivery.delivered(due) { logger.notice("alerts reach \(url) again") }
            } catch {
                if delivery.failed(now: clock.now()) {
                    logger.error("cannot deliver alerts to \(url): \(error); retrying with backoff (up to a minute), supervision goes on")
                }
            }
            deliveries[url] = delivery
        }
    }

    /// One POST of the alerts as Alertmanager's v2 API takes them; any 2xx answer is success.
    static func post(_ alerts: [Alert], to base: String, timeout: Double = 5) async throws {
        var request = HTTPClientRequest(url: base + "/api/v2/alerts")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "medic/\(MedicVersion.current)")
        request.body = .bytes(try AlertmanagerPayload.encode(alerts))
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        let answer = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw AlertDeliveryError(description: "answered \(response.status.code) \(response.status.reasonPhrase): \(String(buffer: answer).prefix(200))")
        }
    }

    struct AlertDeliveryError: Error, CustomStringConvertible {
        var description: String
    }
}

/// The JSON body of `POST /api/v2/alerts`: a list of {labels, annotations, startsAt, endsAt}.
enum AlertmanagerPayload {
    struct Item: Encodable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String
    }

    static func encode(_ alerts: [Alert]) throws -> [UInt8] {
        let items = alerts.map {
            Item(labels: $0.labels, annotations: $0.annotations, startsAt: Timestamp.rfc3339(seconds: $0.startsAt), endsAt: Timestamp.rfc3339(seconds: $0.endsAt))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(items))
    }
}
