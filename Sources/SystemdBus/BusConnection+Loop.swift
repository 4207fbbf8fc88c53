import CSystemd
import Foundation

extension BusConnection {
    /// Signals are handed to Swift in batches of at most this many, so a storm is not one huge array.
    static let maximumBatch = 512

    /// The bus thread: run submitted jobs, dispatch everything sd-bus has, flush signals, then poll
    /// the bus fd and the wake fd until sd-bus's own timeout (call timeouts) or new work.
    func runLoop() {
        var fds = [pollfd(fd: -1, events: 0, revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let (jobs, closeRequested) = queue.withLock { state in
                defer { state.jobs.removeAll(keepingCapacity: true) }
                return (state.jobs, state.closeRequested)
            }
            for job in jobs { job(self) }
            if closeRequested { break }
            guard processPending() else { break }

            fds[0].fd = sd_bus_get_fd(bus)
            let events = sd_bus_get_events(bus)
            guard fds[0].fd >= 0, events >= 0 else { break }
            fds[0].events = Int16(truncatingIfNeeded: events)
            fds[0].revents = 0
            fds[1].revents = 0
            _ = poll(&fds, 2, pollTimeoutMilliseconds())
            if fds[1].revents & Int16(POLLIN) != 0 {
                var counter: UInt64 = 0
                _ = Glibc.read(wakeFD, &counter, 8)
            }
        }
        shutDown()
    }

    /// Dispatches everything sd-bus has ready. Returns false once the connection is gone.
    private func processPending() -> Bool {
        while true {
            let r = sd_bus_process(bus, nil)
            if r < 0 {
                flushSignals()
                return false
            }
            if r == 0 { break }
            if signalBuffer.count >= Self.maximumBatch { flushSignals() }
        }
        flushSignals()
        return sd_bus_is_open(bus) > 0
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        var until: UInt64 = 0
        guard sd_bus_get_timeout(bus, &until) >= 0, until != UInt64.max else { return -1 }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        guard until > nowMicros else { return 0 }
        return Int32(clamping: (until - nowMicros + 999) / 1_000)
    }

    func flushSignals() {
        guard !signalBuffer.isEmpty else { return }
        if let sink = signalSink.withLock({ $0 }) {
            sink.deliver(signalBuffer)
        } else {
            continuation.yield(signalBuffer)
        }
        signalBuffer.removeAll(keepingCapacity: true)
    }

    /// Closes sd-bus so that it fails every pending call with a synthesized error, then releases it.
    private func shutDown() {
        let leftover = queue.withLock { state in
            state.closed = true
            Glibc.close(wakeFD)
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        sd_bus_close(bus)
        while sd_bus_process(bus, nil) > 0 {}
        flushSignals()
        sd_bus_flush_close_unref(bus)
        for call in pendingCalls.values {
            call.complete(nil, BusError(operation: "waiting for a reply", errno: ENOTCONN))
        }
        pendingCalls.removeAll()
        // Jobs that raced with closing still run, and see a closed connection.
        for job in leftover { job(self) }
        signalSink.withLock { $0 }?.deliver(nil)
        continuation.finish()
    }
}
