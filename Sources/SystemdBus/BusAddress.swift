/// Which bus a connection talks to.
public enum BusAddress: Sendable, Equatable, CustomStringConvertible {
    /// The calling user's session bus (`$DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`).
    case user
    /// The system bus.
    case system
    /// An explicit D-Bus address such as `unix:path=/run/user/1000/bus`.
    case address(String)

    public var description: String {
        switch self {
        case .user: return "the user bus"
        case .system: return "the system bus"
        case .address(let a): return "bus \(a)"
        }
    }
}
