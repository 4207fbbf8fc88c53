import Synchronization

/// Runs manager jobs and waits for each to finish, from systemd's JobRemoved signals, on a connection
/// of its own (so the watcher's signal stream is not shared).
///
/// A job can finish before its caller has even read the job path from the reply, so finished jobs
/// are remembered for a while and a late waiter still gets its result.
public final class JobRunner: Sendable {
    /// How a job ended: systemd's JobRemoved result ("done", "canceled", "timeout", "failed",
    /// "dependency", "skipped"), or `timedOut` when Medic stopped waiting first.
    public enum Outcome: Sendable, Equatable {
        case finished(String)
        case timedOut

        public var succeeded: Bool { self == .finished("done") }
    }

    public let manager: SystemdManager
    private let book = Mutex(Book())
    private let consumer: Task<Void, Never>

    struct Book {
        var finished: [String: String] = [:]
        var order: [String] = []
        var waiters: [String: CheckedContinuation<String?, Never>] = [:]
        var closed = false
    }

    /// Jobs whose result is remembered for late waiters.
    static let remembered = 4096

    private init(manager: SystemdManager, consumer: Task<Void, Never>) {
        self.manager = manager
        self.consumer = consumer
    }

    /// Opens a connection, subscribes to job signals and starts collecting them.
    public static func open(_ address: BusAddress) async throws(BusError) -> JobRunner {
        let bus = try BusConnection.open(address, description: "medic-jobs")
        let manager = SystemdManager(bus: bus)
        do {
            try await bus.addMatch("type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved',path='/org/freedesktop/systemd1'")
            try await manager.resubscribe()
        } catch {
            bus.close()
            throw error
        }
        let holder = BookHolder()
        let consumer = Task {
            for await batch in bus.signals {
                for signal in batch {
                    if case .jobRemoved(_, let path, _, let result)? = ManagerEvent(signal: signal) {
                        holder.runner?.finish(path, result)
                    }
                }
            }
            holder.runner?.closeBook()
        }
        let runner = JobRunner(manager: manager, consumer: consumer)
        holder.set(runner)
        return runner
    }

    /// Whether the connection is gone (closed, or lost with the bus): a closed runner never recovers,
    /// open a new one.
    public var isClosed: Bool { book.withLock { $0.closed } }

    /// Closes the connection; waiting callers get `timedOut`.
    public func close() {
        manager.bus.close()
        consumer.cancel()
        closeBook()
    }

    /// Queues the job and waits up to `timeout` seconds for it to finish.
    public func run(_ verb: SystemdManager.JobVerb, unit: String, timeout: Double) async throws(BusError) -> Outcome {
        let path = try await manager.enqueue(verb, unit: unit)
        return await wait(forJob: path, timeout: timeout)
    }

    /// Waits for a job by path (one queued by anyone) up to `timeout` seconds.
    public func wait(forJob path: String, timeout: Double) async -> Outcome {
        let result: String? = await withTaskGroup(of: String?.self) { group in
            group.addTask { await self.result(of: path) }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.abandon(path) }
            return first
        }
        return result.map { .finished($0) } ?? .timedOut
    }

    private func result(of path: String) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let immediate: String?? = book.withLock { book in
                if let done = book.finished[path] { return .some(done) }
                if book.closed { return .some(nil) }
                book.waiters[path] = continuation
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func abandon(_ path: String) {
        let waiter = book.withLock { $0.waiters.removeValue(forKey: path) }
        waiter?.resume(returning: nil)
    }

    fileprivate func finish(_ path: String, _ result: String) {
        let waiter = book.withLock { book -> CheckedContinuation<String?, Never>? in
            book.finished[path] = result
            book.order.append(path)
            if book.order.count > Self.remembered {
                book.finished[book.order.removeFirst()] = nil
            }
            return book.waiters.removeValue(forKey: path)
        }
        waiter?.resume(returning: result)
    }

    fileprivate func closeBook() {
        let waiters = book.withLock { book -> [CheckedContinuation<String?, Never>] in
            book.closed = true
            defer { book.waiters.removeAll() }
            return Array(book.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}

/// Lets the signal consumer, started before the runner exists, reach it.
private final class BookHolder: Sendable {
    private let value = Mutex<JobRunner?>(nil)
    func set(_ runner: JobRunner) { value.withLock { $0 = runner } }
    var runner: JobRunner? { value.withLock { $0 } }
}
