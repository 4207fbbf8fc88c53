import Foundation
import MedicCore
import Synchronization

/// The kernel's messages about processes it killed (its ring buffer, read through /dev/kmsg without
/// waiting), for the rare failures that only the kernel explains (an out-of-memory kill systemd
/// reports as SIGKILL). The device stays open: each look reads only what the kernel wrote since the
/// last one, so that a `kill -9` is not held up by reading the whole buffer again. Unreadable (no
/// permission, no device) gives no messages: the evidence is then simply missing.
public final class KernelMessages: Sendable {
    public let path: String
    /// How many kill messages are kept, newest last.
    public let limit: Int
    private let state = Mutex<State>(State())

    private struct State {
        var fd: Int32 = -1
        var opened = false
        var kills: [String] = []
    }

    public init(path: String = "/dev/kmsg", limit: Int = 256) {
        self.path = path
        self.limit = limit
    }

    deinit {
        state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
        }
    }

    /// The latest messages that report a killed process (at most `limit`), oldest first.
    public func recentKills() -> [String] {
        let path = self.path, limit = self.limit
        return state.withLock { state in
            if !state.opened {
                state.opened = true
                state.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            }
            guard state.fd >= 0 else { return [] }
            var buffer = [UInt8](repeating: 0, count: 8192)
            // From /dev/kmsg each read returns one record, "priority,sequence,microseconds,flags;text"
            // and continuation lines that start with a space; EAGAIN at the end, EPIPE when a record
            // was overwritten while reading (skip it and go on).
            for _ in 0..<100_000 {
                let count = read(state.fd, &buffer, buffer.count)
                if count < 0 {
                    if errno == EPIPE || errno == EINTR { continue }
                    break
                }
                if count == 0 { break }
                for line in buffer[0..<count].split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: " ") {
                    guard let semicolon = line.firstIndex(of: UInt8(ascii: ";")) else { continue }
                    let text = String(decoding: line[(semicolon + 1)...], as: UTF8.self)
                    guard text.contains("Killed process") else { continue }
                    state.kills.append(text)
                }
                if state.kills.count > limit * 2 { state.kills.removeFirst(state.kills.count - limit) }
            }
            return Array(state.kills.suffix(limit))
        }
    }
}
