#if canImport(Glibc)
import Glibc
#endif

/// An error from sd-bus or from a peer on the bus, with enough context to tell the operator what failed.
public struct BusError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What Medic was doing, e.g. "calling ListUnits".
    public var operation: String
    /// The negative errno sd-bus returned, as a positive number; 0 when the error came from the peer.
    public var errno: Int32
    /// The D-Bus error name returned by the peer, e.g. "org.freedesktop.systemd1.NoSuchUnit".
    public var name: String?
    /// The peer's human-readable message.
    public var message: String?

    public init(operation: String, errno: Int32, name: String? = nil, message: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.name = name
        self.message = message
    }

    /// Builds an error from an sd-bus return value (negative errno).
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(BusError) {
        if result < 0 { throw BusError(operation: operation(), errno: -result) }
    }

    /// True when the error means the connection is gone rather than the call being refused.
    public var isDisconnect: Bool {
        if [ECONNRESET, ENOTCONN, EPIPE, ESHUTDOWN, ECONNREFUSED, ENOENT].contains(errno) { return true }
        if let name, name == "org.freedesktop.DBus.Error.NoReply" || name == "org.freedesktop.DBus.Error.Disconnected" {
            return true
        }
        return false
    }

    public var description: String {
        if let name {
            return "\(operation): \(message ?? name) (\(name))"
        }
        return "\(operation): \(String(cString: strerror(errno)))"
    }
}
