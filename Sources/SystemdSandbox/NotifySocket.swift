import Foundation

/// A datagram socket in the sd_notify protocol, used to learn when the sandboxed manager (or a
/// process started with NOTIFY_SOCKET pointing here) is ready.
public final class NotifySocket {
    public let path: String
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SandboxError("cannot create the notify socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw SandboxError("notify socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, b) in bytes.enumerated() { buffer[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            Glibc.close(fd)
            throw SandboxError("cannot bind the notify socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        Glibc.close(fd)
        unlink(path)
    }

    /// Waits for a datagram containing `READY=1`, checking `stillAlive` between waits.
    /// Returns false when the deadline passes or `stillAlive` turns false first.
    public func waitForReady(until deadline: Date, stillAlive: () -> Bool) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            guard stillAlive() else { return false }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // Bounded waits so that a manager that died is noticed.
            let ready = poll(&pfd, 1, 200)
            guard ready > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let text = String(decoding: buffer[0..<n], as: UTF8.self)
            if text.split(separator: "\n").contains("READY=1") { return true }
        }
        return false
    }
}
