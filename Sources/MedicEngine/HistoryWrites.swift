import Foundation
import Logging
import MedicCore
import MedicStore

/// The daemon's writes to the history that must not be lost (a correction's steps and outcome):
/// tried at once, and when the store refuses them (a full disk) kept in order and written by
/// `retry()` as soon as it can, without a restart. Every failed write of the daemon is reported
/// here, so the log says so once, then at most once a minute, then once when it ends.
public actor HistoryWrites {
    private let logger: Logger
    private let clock: WallClock
    private let storePath: String
    private var pending: [(label: String, write: @Sendable () async throws -> Void)] = []
    private var trouble = WriteTrouble()
    private var written = 0

    public init(logger: Logger, clock: WallClock = .system, storePath: String = "") {
        self.logger = logger
        self.clock = clock
        self.storePath = storePath
    }

    /// Writes waiting for the store.
    public var backlog: Int { pending.count }

    /// Runs `write` now (in a task of its own: a cancelled correction's records must not be refused);
    /// when it fails, or older writes are still waiting, it waits its turn. True when it was stored now.
    @discardableResult
    public func write(_ label: String, _ write: @escaping @Sendable () async throws -> Void) async -> Bool {
        if pending.isEmpty {
            do {
                try await Task { try await write() }.value
                succeeded()
                return true
            } catch {
                failed(error, doing: label)
            }
        }
        pending.append((label, write))
        return false
    }

    /// Writes what is waiting, in order, stopping at the first refusal.
    public func retry() async {
        while let first = pending.first {
            do {
                try await Task { try await first.write() }.value
                pending.removeFirst()
                written += 1
            } catch {
                failed(error, doing: first.label)
                return
            }
        }
        succeeded()
    }

    /// Notes a failed write that the caller keeps itself (the timeline's buffer, the state file).
    public func failed(_ error: any Error, doing what: String) {
        let kind = StoreFailure.isDiskFull(error) || diskIsFull ? "disk is full" : "\(what): \(StoreFailure.describe(error, store: storePath))"
        if let line = trouble.failed(kind: kind, at: clock.now()) { logger.error("\(line)") }
    }

    /// SQLite reports a full disk as SQLITE_FULL, or as an I/O error on some writes; the file
    /// system is asked.
    private var diskIsFull: Bool {
        guard !storePath.isEmpty else { return false }
        var info = statvfs()
        guard statvfs((storePath as NSString).deletingLastPathComponent, &info) == 0 else { return false }
        return info.f_bavail == 0
    }

    /// Notes a successful write: ends a run of failures (said once) when nothing is left waiting.
    public func succeeded() {
        guard pending.isEmpty else { return }
        if let line = trouble.succeeded(at: clock.now(), written: written) { logger.notice("\(line)") }
        written = 0
    }
}
