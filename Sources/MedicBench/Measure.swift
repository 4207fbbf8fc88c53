import Foundation

/// Wall-clock microseconds (CLOCK_REALTIME), comparable across processes on this machine.
func nowMicros() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
}

/// Nearest-rank percentiles of a sample, in milliseconds.
struct Distribution: Encodable {
    var count: Int
    var p50: Double?
    var p90: Double?
    var p99: Double?
    var max: Double?

    init(millis values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
        }
        p50 = rank(0.5)
        p90 = rank(0.9)
        p99 = rank(0.99)
        self.max = sorted.last
    }

    var text: String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "-" }
        return "p50 \(f(p50)) ms, p90 \(f(p90)) ms, p99 \(f(p99)) ms (n=\(count))"
    }
}

/// CPU time and memory of a process, from /proc.
enum ProcessFigures {
    /// User + system CPU seconds.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory in MiB (VmRSS).
    static func residentMiB(_ pid: Int32) -> Double? { statusMiB(pid, "VmRSS") }

    /// The anonymous part of the resident set: Medic's own heap and stacks, without the shared
    /// libraries' pages (Swift runtime, Foundation, ICU, SQLite, libsystemd) that other processes share.
    static func anonymousMiB(_ pid: Int32) -> Double? { statusMiB(pid, "RssAnon") }

    private static func statusMiB(_ pid: Int32, _ field: String) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first
            return kib.map { $0 / 1024 }
        }
        return nil
    }
}

/// Reads a pipe line by line on a thread of its own, stamping each line with its arrival time.
final class TimedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var handler: (Int64, String) -> Void

    init(fd: Int32, handler: @escaping (Int64, String) -> Void) {
        self.handler = handler
        let thread = Thread { [self] in
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                let stamp = nowMicros()
                pending.append(contentsOf: buffer[0..<n])
                while let newline = pending.firstIndex(of: 0x0a) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lock.lock()
                    let handle = self.handler
                    lock.unlock()
                    handle(stamp, line)
                }
            }
        }
        thread.start()
    }
}

/// A value several threads write and read.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func with<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` seconds pass, suspending (not
/// blocking) in between so that the tasks being measured keep the cooperative threads.
func waitUntil(_ timeout: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Like `waitUntil` for a condition that must itself wait (an HTTP request), polled every 100 ms.
func waitUntilAsync(_ timeout: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}

/// Prints a line and flushes it, so that progress shows as it happens, also when piped.
func say(_ text: String) {
    print(text)
    fflush(nil)
}
