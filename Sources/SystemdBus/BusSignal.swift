/// A signal received on the bus, fully decoded and detached from sd-bus.
public struct BusSignal: Sendable, Equatable {
    public var sender: String
    public var path: String
    public var interface: String
    public var member: String
    public var arguments: [BusValue]
    /// Set when the body could not be decoded; `arguments` is then empty.
    public var decodeError: String?

    public init(sender: String, path: String, interface: String, member: String, arguments: [BusValue], decodeError: String? = nil) {
        self.sender = sender
        self.path = path
        self.interface = interface
        self.member = member
        self.arguments = arguments
        self.decodeError = decodeError
    }

    /// The interface of PropertiesChanged and of the replies `BusConnection.readPropertiesInOrder` delivers.
    public static let propertiesInterface = "org.freedesktop.DBus.Properties"
    /// The member of a delivered GetAll reply (no real signal has this name): arguments `[a{sv}]`.
    public static let propertiesReply = "GetAll"
    /// The member of a delivered GetAll failure: arguments `[error name, description]`.
    public static let propertiesReadFailed = "GetAllFailed"
}
