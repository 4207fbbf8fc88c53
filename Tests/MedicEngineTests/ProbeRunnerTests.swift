import Foundation
import MedicCore
import MedicEngine
import MedicTestSupport
import Testing

/// Probes against real endpoints on loopback, hostile ones included: each costs at most its timeout
/// and a bounded read. (The time bounds are loose, for busy machines: what they tell apart is a
/// 1 s timeout from an endpoint that would take 100 s or forever.)
@Suite("Probe runs", .serialized)
struct ProbeRunnerTests {
    func run(_ kind: ProbeSpec.Kind, timeout: Double = 1) async -> (result: ProbeResult, seconds: Double) {
        let began = ContinuousClock.now
        let result = await ProbeRunner.run(ProbeSpec(kind: kind, interval: 10, timeout: timeout), unit: "app.service") { Date().timeIntervalSince1970 }
        return (result, (ContinuousClock.now - began) / .seconds(1))
    }

    func http(_ url: String, body: String? = nil, status: [ClosedRange<Int>] = [200...299]) -> ProbeSpec.Kind {
        .http(url: url, expectStatus: status, bodyContains: body, headers: ["X-Probe": "medic"], insecure: false)
    }

    @Test("an endpoint that never answers, one that trickles a byte a second, and one that floods 100 MB each cost one timeout and a bounded read")
    func hostileEndpoints() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let ok = await run(http(server.url + "/ok", body: "ok"))
        #expect(ok.result.passed && ok.result.detail == "status 200", "\(ok.result)")
        let silent = await run(http(server.url + "/silent"))
        #expect(!silent.result.passed && silent.result.detail == "timeout after 1s", "\(silent.result)")
        #expect(silent.seconds < 10, "the timeout bounds a silent endpoint: \(silent.seconds) s")
        let trickle = await run(http(server.url + "/trickle", body: "never there"))
        #expect(!trickle.result.passed && trickle.result.detail == "timeout after 1s", "\(trickle.result)")
        #expect(trickle.seconds < 10, "the timeout bounds a trickling endpoint: \(trickle.seconds) s")
        let flood = await run(http(server.url + "/flood", body: "ok"), timeout: 5)
        #expect(!flood.result.passed && flood.result.detail == "status 200, body lacks 'ok' in its first 64 KiB", "\(flood.result)")
        // The server writes how much it got out once Medic hung up: far from 100 MB, only what the
        // socket buffers took beyond the 64 KiB read.
        #expect(waitUntil(10) { FileManager.default.fileExists(atPath: server.countFile) && ((try? String(contentsOfFile: server.countFile, encoding: .utf8)) ?? "").count > 0 })
        let sent = Int((try? String(contentsOfFile: server.countFile, encoding: .utf8)) ?? "") ?? .max
        #expect(sent < 32 * 1024 * 1024, "the reader hung up after its cap, the flood did not go on: \(sent) bytes sent")
        let loop = await run(http(server.url + "/loop"))
        #expect(!loop.result.passed && loop.result.detail == "more than 3 redirects", "\(loop.result)")
        let wrongStatus = await run(http(server.url + "/ok", status: [204...204]))
        #expect(!wrongStatus.result.passed && wrongStatus.result.detail == "status 200")
    }

    @Test("tcp, unix-socket and exec probes pass and fail, naming why")
    func otherKinds() async throws {
        let server = try HostileServer()
        defer { server.stop() }
        let closed = try freePort()
        #expect(await run(.tcp(host: "127.0.0.1", port: server.port)).result.with(time: nil) == ProbeResult(passed: true, detail: "connected", time: 0))
        let refused = await run(.tcp(host: "127.0.0.1", port: closed)).result
        #expect(!refused.passed && refused.detail == "connection refused", "\(refused)")
        let socketPath = FileManager.default.temporaryDirectory.appendingPathComponent("medic-probe-\(UUID().uuidString.prefix(8)).sock").path
        let listener = try UnixListener(path: socketPath)
        defer { listener.close() }
        #expect(await run(.unix(path: socketPath)).result.passed)
        let missing = await run(.unix(path: socketPath + ".missing")).result
        #expect(!missing.passed && missing.detail == "no such file or directory", "\(missing)")
        #expect(await run(.exec(argv: ["/bin/true"], user: nil)).result.detail == "exit status 0")
        let failed = await run(.exec(argv: ["/bin/sh", "-c", "exit 4"], user: nil)).result
        #expect(!failed.passed && failed.detail == "/bin/sh exited with status 4", "\(failed)")
        let hung = await run(.exec(argv: ["/bin/sleep", "30"], user: nil))
        #expect(!hung.result.passed && hung.result.detail == "timeout after 1s" && hung.seconds < 10, "\(hung)")
    }

    @Test("HTTPS is checked against the system's CAs: a self-signed certificate fails, and passes only with insecure")
    func certificates() async throws {
        let server = try HostileServer(tls: true)
        defer { server.stop() }
        let verified = await run(http(server.url + "/ok"))
        #expect(!verified.result.passed && verified.result.detail.hasPrefix("TLS: "), "\(verified.result)")
        let insecure = await run(.http(url: server.url + "/ok", expectStatus: [200...299], bodyContains: "ok", headers: [:], insecure: true))
        #expect(insecure.result.passed && insecure.result.detail == "status 200", "\(insecure.result)")
    }

    @Test("what a probe reports reaches a terminal escaped")
    func escaped() async throws {
        let result = await run(.exec(argv: ["/nonexistent/\u{1B}[2Jcheck"], user: nil)).result
        #expect(!result.passed && !result.detail.contains("\u{1B}"), "\(result)")
    }
}

extension ProbeResult {
    /// The result with another time (nil: 0), to compare results whatever their time.
    func with(time: Double?) -> ProbeResult {
        ProbeResult(passed: passed, detail: detail, time: time ?? 0)
    }
}

/// A unix stream socket that accepts connections (and closes them) until closed.
final class UnixListener: @unchecked Sendable {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}
