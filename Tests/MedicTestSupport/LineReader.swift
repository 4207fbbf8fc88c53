import Foundation

/// Collects the lines a child process writes to a pipe, on a thread of its own, and lets a test wait
/// for a line it expects (with a bound, so a missing line fails the test instead of hanging it).
public final class LineReader: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var finished = false

    public init(fd: Int32) {
        let thread = Thread { [self] in
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending.append(contentsOf: buffer[0..<n])
                while let newline = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    append(line)
                }
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    private func append(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.broadcast()
        condition.unlock()
    }

    /// Every line so far.
    public var all: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    /// The first line (from index `from` on) satisfying `predicate`, waiting up to `timeout` seconds.
    public func waitFor(from: Int = 0, timeout: Double, _ predicate: (String) -> Bool) -> (index: Int, line: String)? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        var index = from
        while true {
            while index < lines.count {
                if predicate(lines[index]) { return (index, lines[index]) }
                index += 1
            }
            if finished { return nil }
            if !condition.wait(until: deadline) { return nil }
        }
    }
}
