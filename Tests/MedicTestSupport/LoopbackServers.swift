import AsyncHTTPClient
import Foundation
import NIOCore
import ProcessRunner
import SystemdSandbox

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SandboxError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw SandboxError("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Plain HTTP for tests, with the same client package Medic uses.
public enum HTTP {
    /// The status and body of a GET (or nil when nothing answers).
    public static func get(_ url: String, timeout: Double = 5) async -> (status: Int, body: String)? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    /// A request with these headers; the response's status, lower-cased headers and body.
    public static func request(_ url: String, method: String = "GET", headers: [String: String], timeout: Double = 5) async -> (status: Int, headers: [String: String], body: String)? {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: method)
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 64 << 20)
            let fields = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            return (Int(response.status.code), fields, String(buffer: body))
        } catch {
            return nil
        }
    }

    /// A GET whose body is then read piece by piece (a Server-Sent Events stream).
    public static func stream(_ url: String, headers: [String: String]) async throws -> StreamingResponse {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return StreamingResponse(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                                 iterator: response.body.makeAsyncIterator())
    }

    /// A GET's body decoded as JSON.
    public static func json(_ url: String) async -> Any? {
        guard let (status, body) = await get(url), status == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(body.utf8))
    }
}

/// A Debian server binary (Prometheus, Alertmanager) started on loopback with a free port and a
/// directory of its own; `stop()` (or deinit) ends it and removes the directory.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    private let child: ChildProcess
    public let log: LineReader
    private var stopped = false

    public var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, directory: String, child: ChildProcess) {
        self.port = port
        self.directory = directory
        self.child = child
        log = LineReader(fd: child.standardError)
    }

    /// Prometheus scraping `targets` every second and evaluating `ruleFiles` every second.
    public static func prometheus(scraping targets: [String], ruleFiles: [String] = []) async throws -> LoopbackServer {
        let directory = try makeDirectory("prometheus")
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: [\(ruleFiles.map { "'\($0)'" }.joined(separator: ", "))]
            scrape_configs:
              - job_name: medic
                static_configs: [{targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]}]
            """
        try config.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        return try await start(["prometheus", "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                                "--web.listen-address=127.0.0.1:\(port)", "--web.enable-lifecycle"], port: port, directory: directory)
    }

    /// Alertmanager with one receiver that goes nowhere (the API is what tests read) and no cluster.
    public static func alertmanager() async throws -> LoopbackServer {
        let directory = try makeDirectory("alertmanager")
        try "route: {receiver: none, group_wait: 1s}\nreceivers: [{name: none}]\n".write(toFile: directory + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        return try await start(["prometheus-alertmanager", "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="], port: port, directory: directory)
    }

    private static func makeDirectory(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("medic-test-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private static func start(_ command: [String], port: Int, directory: String) async throws -> LoopbackServer {
        let child = try ChildProcess.spawn(command, environment: ProcessInfo.processInfo.environment, standardOutput: .null, standardError: .pipe, ownProcessGroup: true)
        let server = LoopbackServer(port: port, directory: directory, child: child)
        let deadline = Date().addingTimeInterval(60)
        // Asked once more after any wait: on a loaded machine this task may not run for a while, and
        // a server that became ready meanwhile must not be taken for one that never did.
        while true {
            if let (status, _) = await HTTP.get(server.url + "/-/ready", timeout: 1), status == 200 { return server }
            if !child.isRunning || Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = server.log.all.suffix(20).joined(separator: "\n")
        server.stop()
        throw SandboxError("\(command[0]) did not become ready on port \(port): \(log)")
    }

    /// Ends the server (SIGTERM, then SIGKILL) and removes its directory.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if child.isRunning {
            _ = child.signalGroup(SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while child.isRunning && Date() < deadline { usleep(20_000) }
            if child.isRunning { _ = child.signalGroup(SIGKILL) }
        }
        _ = child.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}

/// Prometheus text exposition as a test reads it: every sample with its labels.
public struct MetricsText: Sendable {
    public struct Sample: Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public var samples: [Sample]

    public init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            // Unit names and Medic's label values hold no quotes or commas.
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
            }
            return Sample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }

    /// The value of the one sample with this name and (at least) these labels.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }
}

/// A response whose body is read as it arrives.
public final class StreamingResponse: @unchecked Sendable {
    public let status: Int
    public let contentType: String?
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(status: Int, contentType: String?, iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.status = status
        self.contentType = contentType
        self.iterator = iterator
    }

    /// The next piece of the body; nil at its end or when the connection broke.
    public func next() async -> String? {
        do {
            return try await iterator.next().map { String(buffer: $0) }
        } catch {
            return nil
        }
    }
}
