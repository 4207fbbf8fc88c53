import Foundation

/// Debian's real chromium in headless mode, driven through the DevTools protocol over the pipe
/// chromium offers (`--remote-debugging-pipe`: commands on its fd 3, replies and events on its fd 4,
/// each a JSON message ended by a NUL). One page; everything it needs is started and removed here.
/// The pipe is read and written on a queue of its own, so that a test awaiting the browser never
/// holds one of the cooperative pool's few threads.
public final class HeadlessBrowser: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static let executable = "/usr/bin/chromium"
    private let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile: String
    private var buffer: [UInt8] = []
    private var nextID = 0
    private var session: String?
    private let queue = DispatchQueue(label: "medic-test-chromium")

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else { throw Failure(description: "\(Self.executable) is not installed (apt-get install chromium)") }
        profile = NSTemporaryDirectory() + "medic-chromium-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe: \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments = [Self.executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--user-data-dir=\(profile)",
                         "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", "about:blank"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, Self.executable, &actions, &attributes, &argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        guard spawned == 0 else { throw Failure(description: "cannot start chromium: \(spawned)") }
        pid = child
        commands = toBrowser[1]
        replies = fromBrowser[0]
        let target = try callBlocking("Target.createTarget", ["url": "about:blank"])
        guard let targetId = target["targetId"] as? String else { throw Failure(description: "no target: \(target)") }
        let attached = try callBlocking("Target.attachToTarget", ["targetId": targetId, "flatten": true])
        session = attached["sessionId"] as? String
        _ = try callBlocking("Page.enable", [:])
        _ = try callBlocking("Runtime.enable", [:])
    }

    deinit {
        close(commands)
        close(replies)
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Opens `url` and waits until the document has loaded.
    public func open(_ url: String, timeout: Double = 15) async throws {
        _ = try await call("Page.navigate", ["url": url])
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if (try? await evaluate("document.readyState === 'complete' && location.href !== 'about:blank'")) as? Bool == true { return }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "\(url) did not load in \(timeout) s")
    }

    /// The value of a JavaScript expression in the page (JSON-like: strings, numbers, booleans, arrays, objects).
    public func evaluate(_ expression: String) async throws -> Any? {
        let reply = try await call("Runtime.evaluate", ["expression": expression, "returnByValue": true])
        if let exception = reply["exceptionDetails"] { throw Failure(description: "\(expression): \(exception)") }
        return (reply["result"] as? [String: Any])?["value"]
    }

    /// A PNG of the page as it looks (for README's screenshots): the whole page, or what the window shows.
    public func screenshot(to path: String, wholePage: Bool = true) async throws {
        let reply = try await call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": wholePage])
        guard let data = (reply["data"] as? String).flatMap({ Data(base64Encoded: $0) }) else { throw Failure(description: "no screenshot") }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// One command, its reply read on the browser's own queue.
    private func call(_ method: String, _ parameters: [String: Any], timeout: Double = 15) async throws -> [String: Any] {
        nonisolated(unsafe) let parameters = parameters
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    nonisolated(unsafe) let reply = try self.callBlocking(method, parameters, timeout: timeout)
                    continuation.resume(returning: reply)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private func callBlocking(_ method: String, _ parameters: [String: Any], timeout: Double = 15) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if let session, !method.hasPrefix("Target.") { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "chromium closed its pipe") }
            written += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let end = buffer.firstIndex(of: 0) {
                let raw = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let reply = try JSONSerialization.jsonObject(with: raw) as? [String: Any], reply["id"] as? Int == id else { continue }
                if let error = reply["error"] { throw Failure(description: "\(method): \(error)") }
                return reply["result"] as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "\(method): no reply in \(timeout) s") }
            var poller = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(left, 1) * 1000)) >= 0 else { throw Failure(description: "poll: \(errno)") }
            guard poller.revents != 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = read(replies, &chunk, chunk.count)
            guard n > 0 else { throw Failure(description: "chromium ended") }
            buffer += chunk[..<n]
        }
    }
}
