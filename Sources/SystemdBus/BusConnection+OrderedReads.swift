import CSystemd
import Foundation

extension BusConnection {
    /// Reads the named properties of the object at `path` (GetAll on every interface) and delivers
    /// the reply among the signals, at the place the bus delivered it: a signal that arrives after
    /// the reply comes after it in the stream, so a consumer never lets an older read overwrite a
    /// newer change. The reply is a `BusSignal` with member `BusSignal.propertiesReply` (or
    /// `propertiesReadFailed`, arguments: error name and description); `ManagerEvent` decodes both.
    ///
    /// Returns false when the connection is already closed (nothing will be delivered).
    @discardableResult
    public func readPropertiesInOrder(destination: String, path: String, keeping names: Set<String>) -> Bool {
        submit { connection in
            connection.startCall(
                destination: destination, path: path, interface: BusSignal.propertiesInterface, member: "GetAll",
                arguments: [.string("")], timeout: 0, operation: "reading the properties of \(path)"
            ) { reply, error in
                connection.signalBuffer.append(Self.orderedReply(path: path, sender: destination, reply: reply, error: error, keeping: names))
            }
        }
    }

    /// Bus thread: the reply (or the failure) as the pseudo-signal `readPropertiesInOrder` delivers.
    private static func orderedReply(path: String, sender: String, reply: OpaquePointer?, error: BusError?, keeping names: Set<String>) -> BusSignal {
        func failure(_ error: BusError) -> BusSignal {
            BusSignal(sender: sender, path: path, interface: BusSignal.propertiesInterface, member: BusSignal.propertiesReadFailed,
                      arguments: [.string(error.name ?? ""), .string(error.description)])
        }
        guard let reply else { return failure(error ?? BusError(operation: "reading the properties of \(path)", errno: EIO)) }
        do throws(BusError) {
            let properties = try BusMessageReader(message: reply).readProperties(keeping: names)
            let entries = properties.map { BusValue.dictEntry(key: .string($0.key), value: .variant($0.value)) }
            return BusSignal(sender: sender, path: path, interface: BusSignal.propertiesInterface, member: BusSignal.propertiesReply,
                             arguments: [.array(entries)])
        } catch {
            return failure(error)
        }
    }
}
