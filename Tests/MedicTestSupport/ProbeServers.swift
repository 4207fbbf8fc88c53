import Foundation
import SystemdSandbox

/// Small python3 servers for probe tests: a service that can be made to stop serving, and
/// endpoints that misbehave on purpose.
public enum ProbeServers {
    /// `python3 -c web PORT BREAKFLAG [UNIXSOCKET]`: answers GET with 200 "ok". A request that finds
    /// BREAKFLAG removes it and breaks this process for good: every later answer is 503 "down", as
    /// a wedged service answers until it is restarted. With UNIXSOCKET it also accepts connections there.
    public static let web = """
        import http.server, os, socket, sys, threading
        port, flag = int(sys.argv[1]), sys.argv[2]
        broken = False
        if len(sys.argv) > 3:
            path = sys.argv[3]
            if os.path.exists(path): os.unlink(path)
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            unix.bind(path)
            unix.listen(16)
            def accept():
                while True:
                    conn, _ = unix.accept()
                    conn.close()
            threading.Thread(target=accept, daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                global broken
                if os.path.exists(flag):
                    os.unlink(flag)
                    broken = True
                code, body = (503, b"down") if broken else (200, b"ok")
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """

    /// `python3 -c hostile PORT COUNTFILE [CERT KEY]` (HTTPS with CERT and KEY): /silent accepts and never answers, /trickle sends its
    /// head and then one byte a second, /flood announces and streams 100 MB (writing how many bytes
    /// it got out to COUNTFILE once the reader hangs up), /loop redirects to itself, /ok answers 200.
    public static let hostile = """
        import http.server, sys, time
        port, countfile = int(sys.argv[1]), sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path == "/silent":
                    time.sleep(3600)
                elif self.path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    for _ in range(100):
                        self.wfile.write(b"x"); self.wfile.flush(); time.sleep(1)
                elif self.path == "/flood":
                    size = 100 * 1024 * 1024
                    self.send_response(200)
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    sent, chunk = 0, b"z" * 65536
                    try:
                        while sent < size:
                            self.wfile.write(chunk); sent += len(chunk)
                    except Exception:
                        pass
                    with open(countfile, "w") as f:
                        f.write(str(sent))
                elif self.path == "/loop":
                    self.send_response(302)
                    self.send_header("Location", "/loop?again")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path.startswith("/loop?"):
                    self.send_response(302)
                    self.send_header("Location", self.path + "x")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if len(sys.argv) > 4:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[3], sys.argv[4])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()
        """

    /// Waits until something accepts connections on the loopback port (blocking: for setup code
    /// outside tasks; tests use `awaitPort`).
    public static func waitForPort(_ port: Int, timeout: Double = 20) -> Bool {
        waitUntil(timeout) { accepts(port) }
    }

    /// Like `waitForPort`, suspending between looks instead of holding one of the few threads.
    public static func awaitPort(_ port: Int, timeout: Double = 60) async -> Bool {
        await eventually(timeout) { accepts(port) }
    }

    /// Whether a connection to the loopback port opens now.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Stops `pid` (SIGSTOP) for `seconds` and lets it go on (SIGCONT), timed by a process of its
    /// own, so that a busy test process cannot stretch the pause; returns once it has ended.
    public static func pause(_ pid: Int32, for seconds: Double) async throws {
        let child = try ChildProcess.spawn(["/bin/sh", "-c", "kill -STOP \(pid); sleep \(seconds); kill -CONT \(pid)"],
                                           environment: ProcessInfo.processInfo.environment)
        while child.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        _ = child.wait()
    }
}

/// The hostile server, started by the test on a free loopback port and ended by `stop()`. With
/// `tls`, it serves HTTPS with a self-signed certificate for 127.0.0.1 (made by openssl), which no
/// system CA vouches for.
public final class HostileServer: @unchecked Sendable {
    public let port: Int
    public let countFile: String
    public let tls: Bool
    private let directory: String
    private let child: ChildProcess

    public init(tls: Bool = false) throws {
        port = try freePort()
        self.tls = tls
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("medic-test-hostile-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        countFile = directory + "/flood-count"
        var arguments = ["python3", "-c", ProbeServers.hostile, String(port), countFile]
        if tls {
            let made = try Command.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem"])
            guard made.succeeded else { throw SandboxError("openssl could not make a certificate: \(made.standardError)") }
            arguments += [directory + "/cert.pem", directory + "/key.pem"]
        }
        child = try ChildProcess.spawn(arguments, environment: ProcessInfo.processInfo.environment, ownProcessGroup: true)
        guard ProbeServers.waitForPort(port) else {
            stop()
            throw SandboxError("the hostile server did not listen on \(port)")
        }
    }

    public var url: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }

    public func stop() {
        _ = child.signalGroup(SIGKILL)
        _ = child.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
