import CSystemd
import Foundation

/// A method call waiting for its reply; owned by the bus thread's table of pending calls.
final class PendingCall {
    let complete: (OpaquePointer?, BusError?) -> Void
    weak var owner: BusConnection?

    init(complete: @escaping (OpaquePointer?, BusError?) -> Void) {
        self.complete = complete
    }
}

extension BusConnection {
    /// Calls a method and decodes its reply on the bus thread with `decode`.
    ///
    /// - Parameter timeout: how long to wait for the reply, in microseconds; 0 is sd-bus's default (25 s).
    public func call<T: Sendable>(
        destination: String,
        path: String,
        interface: String,
        member: String,
        arguments: [BusArgument] = [],
        timeout: UInt64 = 0,
        decode: @escaping @Sendable (borrowing BusMessageReader) throws(BusError) -> T
    ) async throws(BusError) -> T {
        let operation = "calling \(interface).\(member) on \(path)"
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, BusError>, Never>) in
            let accepted = submit { connection in
                connection.startCall(
                    destination: destination, path: path, interface: interface, member: member,
                    arguments: arguments, timeout: timeout, operation: operation
                ) { reply, error in
                    if let error {
                        continuation.resume(returning: .failure(error))
                        return
                    }
                    guard let reply else {
                        continuation.resume(returning: .failure(BusError(operation: operation, errno: EIO)))
                        return
                    }
                    do throws(BusError) {
                        continuation.resume(returning: .success(try decode(BusMessageReader(message: reply))))
                    } catch {
                        var described = error
                        described.operation = "\(operation): \(error.operation)"
                        continuation.resume(returning: .failure(described))
                    }
                }
            }
            if !accepted {
                continuation.resume(returning: .failure(BusError(operation: operation, errno: ENOTCONN)))
            }
        }
        return try result.get()
    }

    /// Calls a method and returns its reply's body as generic values.
    public func call(
        destination: String,
        path: String,
        interface: String,
        member: String,
        arguments: [BusArgument] = [],
        timeout: UInt64 = 0
    ) async throws(BusError) -> [BusValue] {
        try await call(
            destination: destination, path: path, interface: interface, member: member,
            arguments: arguments, timeout: timeout
        ) { reader throws(BusError) in try reader.readAll() }
    }

    /// Bus thread: builds and sends the call; `complete` runs on the bus thread with the reply or an error.
    func startCall(
        destination: String, path: String, interface: String, member: String,
        arguments: [BusArgument], timeout: UInt64, operation: String,
        complete: @escaping (OpaquePointer?, BusError?) -> Void
    ) {
        var message: OpaquePointer? = nil
        let created = sd_bus_message_new_method_call(bus, &message, destination, path, interface, member)
        guard created >= 0, let message else {
            complete(nil, BusError(operation: operation, errno: -created))
            return
        }
        defer { sd_bus_message_unref(message) }
        do throws(BusError) {
            for argument in arguments { try argument.append(to: message) }
        } catch {
            complete(nil, BusError(operation: "\(operation): \(error.operation)", errno: error.errno))
            return
        }
        let pending = PendingCall { reply, error in
            if let error {
                complete(nil, error)
                return
            }
            if let reply, sd_bus_message_is_method_error(reply, nil) > 0 {
                let failure = sd_bus_message_get_error(reply)
                complete(nil, BusError(
                    operation: operation,
                    errno: 0,
                    name: failure?.pointee.name.map { String(cString: $0) },
                    message: failure?.pointee.message.map { String(cString: $0) }
                ))
                return
            }
            complete(reply, nil)
        }
        let key = ObjectIdentifier(pending)
        let userdata = Unmanaged.passUnretained(pending).toOpaque()
        let r = sd_bus_call_async(bus, nil, message, { reply, userdata, _ in
            guard let userdata else { return 0 }
            let pending = Unmanaged<PendingCall>.fromOpaque(userdata).takeUnretainedValue()
            // The connection is reachable from the call through the table; remove before completing.
            pending.finish(reply)
            return 0
        }, userdata, timeout)
        if r < 0 {
            complete(nil, BusError(operation: operation, errno: -r))
            return
        }
        pending.owner = self
        pendingCalls[key] = pending
    }
}

extension PendingCall {
    /// Bus thread: removes the call from its connection's table and completes it once.
    func finish(_ reply: OpaquePointer?) {
        guard let owner, owner.pendingCalls.removeValue(forKey: ObjectIdentifier(self)) != nil else { return }
        complete(reply, nil)
    }
}
