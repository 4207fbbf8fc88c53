import CSystemd
import Foundation
import Synchronization

/// A connection to a D-Bus bus, confined to one dedicated thread.
///
/// An sd-bus object is not thread-safe, so every use of it happens on the connection's own thread,
/// which runs the `sd_bus_process` loop. Other threads submit work through a queue and are woken
/// through an eventfd. Method calls are asynchronous (`sd_bus_call_async`), and signals that match
/// the installed rules are delivered as batches on `signals`. When the peer goes away the stream
/// finishes and pending calls fail; reconnecting is the caller's job (open a new connection).
public final class BusConnection: @unchecked Sendable {
    /// Batches of matched signals, in arrival order. Finishes when the connection closes.
    public let signals: AsyncStream<[BusSignal]>
    /// Where this connection goes.
    public let address: BusAddress

    let continuation: AsyncStream<[BusSignal]>.Continuation
    let wakeFD: Int32
    let queue = Mutex(SubmissionQueue())
    let keptChangedProperties = Mutex<Set<String>?>(nil)
    let signalSink = Mutex<SignalSink?>(nil)

    /// Where `deliverSignals` sends batches. A class holding the closure, so that reading it back
    /// from the lock does not wrap it in another reabstraction thunk at every batch.
    final class SignalSink: Sendable {
        let deliver: @Sendable ([BusSignal]?) -> Void
        init(_ deliver: @escaping @Sendable ([BusSignal]?) -> Void) { self.deliver = deliver }
    }

    // Touched only on the bus thread.
    let bus: OpaquePointer
    var signalBuffer: [BusSignal] = []
    var pendingCalls: [ObjectIdentifier: PendingCall] = [:]

    struct SubmissionQueue {
        var jobs: [@Sendable (BusConnection) -> Void] = []
        var closed = false
        var closeRequested = false
    }

    private init(bus: OpaquePointer, address: BusAddress, wakeFD: Int32) {
        self.bus = bus
        self.address = address
        self.wakeFD = wakeFD
        (signals, continuation) = AsyncStream.makeStream(of: [BusSignal].self, bufferingPolicy: .unbounded)
    }

    /// Decode only these properties of `PropertiesChanged` signals (nil: all). A watcher that uses a
    /// few of the tens of values systemd sends with each change saves most of the decoding.
    public func keepChangedProperties(_ names: Set<String>?) {
        keptChangedProperties.withLock { $0 = names }
    }

    /// Hands signal batches to `sink` on the bus thread instead of to `signals` (which then stays
    /// empty), and `nil` once when the connection has closed. One hand-over less than reading
    /// `signals` and forwarding; the sink must only pass the batch on (yield it to a stream), never
    /// block. Set it before installing match rules.
    public func deliverSignals(to sink: @escaping @Sendable ([BusSignal]?) -> Void) {
        let box = SignalSink(sink)
        signalSink.withLock { $0 = box }
    }

    /// Opens a connection and starts its thread. Fails at once when nothing listens at the address.
    public static func open(_ address: BusAddress, description: String = "medic") throws(BusError) -> BusConnection {
        var bus: OpaquePointer? = nil
        let operation = "connecting to \(address)"
        switch address {
        case .user:
            try BusError.check(sd_bus_open_user(&bus), operation)
        case .system:
            try BusError.check(sd_bus_open_system(&bus), operation)
        case .address(let text):
            try BusError.check(sd_bus_new(&bus), operation)
            guard let created = bus else { throw BusError(operation: operation, errno: ENOMEM) }
            do {
                try BusError.check(text.withCString { sd_bus_set_address(created, $0) }, "\(operation): invalid address")
                try BusError.check(sd_bus_set_bus_client(created, 1), operation)
                try BusError.check(sd_bus_start(created), operation)
            } catch {
                sd_bus_unref(created)
                throw error
            }
        }
        guard let bus else { throw BusError(operation: operation, errno: ENOMEM) }
        _ = description.withCString { sd_bus_set_description(bus, $0) }
        let wake = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            sd_bus_flush_close_unref(bus)
            throw BusError(operation: "creating an eventfd", errno: Glibc.errno)
        }
        let connection = BusConnection(bus: bus, address: address, wakeFD: wake)
        let thread = Thread { connection.runLoop() }
        thread.name = "medic-bus"
        thread.start()
        return connection
    }

    /// Asks the thread to close the connection; pending calls fail and `signals` finishes.
    public func close() {
        queue.withLock { $0.closeRequested = true }
        wake()
    }

    /// Runs `job` on the bus thread. Returns false when the connection is already closed.
    @discardableResult
    func submit(_ job: @escaping @Sendable (BusConnection) -> Void) -> Bool {
        let accepted = queue.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    private func wake() {
        queue.withLock { state in
            // The fd is closed only once `closed` is set, under the same lock.
            guard !state.closed else { return }
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }
}
