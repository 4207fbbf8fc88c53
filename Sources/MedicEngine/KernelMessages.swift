import Foundation

/// The kernel's recent messages (its ring buffer, read through /dev/kmsg without waiting), for the
/// rare failures that only the kernel explains (an out-of-memory kill systemd reports as SIGKILL).
/// Unreadable (no permission, no device) gives no messages: the evidence is then simply missing.
public struct KernelMessages: Sendable {
    public var path: String

    public init(path: String = "/dev/kmsg") {
        self.path = path
    }

    /// The text of the last `limit` messages, oldest first.
    public func recent(limit: Int = 4096) -> [String] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        // Each read returns one record, "priority,sequence,microseconds,flags;text"; EAGAIN at the end,
        // EPIPE when a record was overwritten while reading (skip it and go on).
        for _ in 0..<100_000 {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EPIPE || errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            let record = String(decoding: buffer[0..<count], as: UTF8.self)
            guard let semicolon = record.firstIndex(of: ";") else { continue }
            let text = record[record.index(after: semicolon)...].prefix { $0 != "\n" }
            messages.append(String(text))
            if messages.count > limit * 2 { messages.removeFirst(messages.count - limit) }
        }
        return Array(messages.suffix(limit))
    }
}
