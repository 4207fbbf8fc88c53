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
}
