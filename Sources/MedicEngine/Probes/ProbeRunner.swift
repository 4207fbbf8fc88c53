import AsyncHTTPClient
import Foundation
import MedicCore
import NIOCore
import NIOPosix
import NIOSSL

/// Runs one probe once and says what it found, within the probe's timeout whatever the other end
/// does: an endpoint that never answers, trickles, or sends a flood costs the timeout and a bounded
/// read, nothing more. Never throws; every failure is a result with a short, escaped detail.
public enum ProbeRunner {
    /// The most of a response body that is read (and searched for `body-contains`).
    public static let bodyCap = 64 * 1024
    /// Redirects followed, at most.
    public static let redirectLimit = 3
    /// How long an exec probe's process group has between SIGTERM and SIGKILL.
    static let execGrace = 1.0

    /// Clients kept for the process's life (connections are pooled between probes), one that checks
    /// certificates against the system's CAs and one for probes that asked for `insecure`.
    static let verifying = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(verify: true))
    static let insecure = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(verify: false))

    private static func configuration(verify: Bool) -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !verify { tls.certificateVerification = .none }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .follow(max: redirectLimit, allowCycles: false),
                                                     decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        return configuration
    }

    /// Runs `spec` against `unit` now; `now` gives the result's time.
    public static func run(_ spec: ProbeSpec, unit: String, now: @escaping @Sendable () -> Double) async -> ProbeResult {
        let timeout = spec.timeout
        let began = now()
        // A program is bounded by its own runner: the group gets SIGTERM at the timeout and SIGKILL
        // a moment later.
        let outcome = spec.kind.isExec ? await attempt(spec.kind, unit: unit, timeout: timeout) : await bounded(spec.kind, unit: unit, timeout: timeout)
        let (passed, detail): (Bool, String)
        switch outcome {
        case .passed(let text): (passed, detail) = (true, text)
        case .failed(let text): (passed, detail) = (false, text)
        }
        return ProbeResult(passed: passed, detail: TerminalText.escape(String(detail.prefix(200)), keepNewlines: false), time: began)
    }

    /// Runs a network probe with a hard bound of its own beside the client's timeouts.
    private static func bounded(_ kind: ProbeSpec.Kind, unit: String, timeout: Double) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await attempt(kind, unit: unit, timeout: timeout) }
            group.addTask {
                // The hard bound: whatever the kind does, the probe ends here (a moment after the
                // kind's own timeout, whose error may say more).
                try? await Task.sleep(for: .seconds(timeout + 0.2))
                return Task.isCancelled ? nil : .failed("timeout after \(FailureDescription.duration(timeout))")
            }
            var first: Outcome?
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .failed("cancelled")
        }
    }

    enum Outcome: Sendable {
        case passed(String)
        case failed(String)
    }

    private static func attempt(_ kind: ProbeSpec.Kind, unit: String, timeout: Double) async -> Outcome {
        switch kind {
        case .http(let url, let statuses, let body, let headers, let insecure):
            return await http(url, statuses: statuses, bodyContains: body, headers: headers, insecure: insecure, timeout: timeout)
        case .tcp(let host, let port):
            return await connect(timeout: timeout) { try await $0.connect(host: host, port: port).get() }
        case .unix(let path):
            return await connect(timeout: timeout) { try await $0.connect(unixDomainSocketPath: path).get() }
        case .exec(let argv, let user):
            return await exec(argv, user: user, unit: unit, timeout: timeout)
        }
    }

    private static func exec(_ argv: [String], user: String?, unit: String, timeout: Double) async -> Outcome {
        do {
            try await CommandStep.run(argv, user: user, timeout: timeout, unit: UnitSnapshot(name: unit), grace: execGrace)
            return .passed("exit status 0")
        } catch let failure as CommandStep.Failure {
            return .failed(failure.timedOut ? "timeout after \(FailureDescription.duration(timeout))" : failure.description)
        } catch {
            return .failed("cannot run \(argv[0]): \(error)")
        }
    }

    private static func http(_ url: String, statuses: [ClosedRange<Int>], bodyContains: String?, headers: [String: String], insecure: Bool,
                             timeout: Double) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "medic-probe/\(MedicVersion.current)")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.replaceOrAdd(name: name, value: value) }
        do {
            let client = insecure ? Self.insecure : verifying
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let code = Int(response.status.code)
            // The body is read (up to the cap) whatever the verdict: a response read to its end
            // leaves its connection to the pool for the next probe, one left unread closes it.
            var seen: [UInt8] = []
            for try await chunk in response.body {
                seen += chunk.readableBytesView.prefix(bodyCap - seen.count)
                if seen.count >= bodyCap { break }
            }
            guard statuses.contains(where: { $0.contains(code) }) else {
                return .failed("status \(code)")
            }
            if let bodyContains, !String(decoding: seen, as: UTF8.self).contains(bodyContains) {
                return .failed("status \(code), body lacks '\(bodyContains)'\(seen.count >= bodyCap ? " in its first \(bodyCap / 1024) KiB" : "")")
            }
            return .passed("status \(code)")
        } catch {
            return .failed(describe(error, timeout: timeout))
        }
    }

    private static func connect(timeout: Double, _ open: @Sendable (ClientBootstrap) async throws -> Channel) async -> Outcome {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
        do {
            let channel = try await open(bootstrap)
            try? await channel.close()
            return .passed("connected")
        } catch {
            return .failed(describe(error, timeout: timeout))
        }
    }

    /// A short account of why a probe failed: "connection refused", "timeout after 2s".
    static func describe(_ error: Error, timeout: Double) -> String {
        let timedOut = "timeout after \(FailureDescription.duration(timeout))"
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout: return timedOut
            case .redirectLimitReached: return "more than \(redirectLimit) redirects"
            case .redirectCycleDetected: return "a redirect cycle"
            case .remoteConnectionClosed: return "the connection was closed before an answer"
            default: return "\(error)"
            }
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error, timeout: timeout) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
            return "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case ChannelError.connectTimeout:
            return timedOut
        case let error as NIOSSLError:
            return "TLS: \(error)"
        default:
            return "\(error)"
        }
    }
}
