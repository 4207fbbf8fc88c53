import CSystemd
import Foundation

extension BusConnection {
    /// Installs a match rule (D-Bus match syntax); matching signals arrive on `signals`.
    public func addMatch(_ rule: String) async throws(BusError) {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, BusError>, Never>) in
            let accepted = submit { connection in
                continuation.resume(returning: connection.installMatch(rule))
            }
            if !accepted {
                continuation.resume(returning: .failure(BusError(operation: "adding match \(rule)", errno: ENOTCONN)))
            }
        }
        try result.get()
    }

    /// Bus thread: installs the rule synchronously (other messages stay queued meanwhile).
    private func installMatch(_ rule: String) -> Result<Void, BusError> {
        let userdata = Unmanaged.passUnretained(self).toOpaque()
        let r = sd_bus_add_match(bus, nil, rule, { message, userdata, _ in
            guard let message, let userdata else { return 0 }
            Unmanaged<BusConnection>.fromOpaque(userdata).takeUnretainedValue().receive(signal: message)
            return 0
        }, userdata)
        if r < 0 { return .failure(BusError(operation: "adding match \(rule)", errno: -r)) }
        return .success(())
    }

    /// Bus thread: decodes a signal and buffers it for the next batch.
    func receive(signal message: OpaquePointer) {
        func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        var decoded = BusSignal(
            sender: text(sd_bus_message_get_sender(message)),
            path: text(sd_bus_message_get_path(message)),
            interface: text(sd_bus_message_get_interface(message)),
            member: text(sd_bus_message_get_member(message)),
            arguments: []
        )
        do throws(BusError) {
            let reader = BusMessageReader(message: message)
            if decoded.member == "PropertiesChanged", decoded.interface == "org.freedesktop.DBus.Properties",
               let kept = keptChangedProperties.withLock({ $0 }) {
                // (interface, changed a{sv} with only the kept properties, invalidated as)
                let interface = try reader.readNext() ?? .string("")
                let changed = try reader.readProperties(keeping: kept)
                let invalidated = try reader.readNext() ?? .array([])
                decoded.arguments = [interface, .array(changed.map { .dictEntry(key: .string($0.key), value: .variant($0.value)) }), invalidated]
            } else {
                decoded.arguments = try reader.readAll()
            }
        } catch {
            decoded.decodeError = error.description
        }
        signalBuffer.append(decoded)
    }
}
