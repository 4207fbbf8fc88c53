/// Typed access to systemd's manager (org.freedesktop.systemd1) over a `BusConnection`.
///
/// See `man 5 org.freedesktop.systemd1` for the methods and signals used here.
public struct SystemdManager: Sendable {
    public static let destination = "org.freedesktop.systemd1"
    public static let managerPath = "/org/freedesktop/systemd1"
    public static let managerInterface = "org.freedesktop.systemd1.Manager"
    public static let unitPathPrefix = "/org/freedesktop/systemd1/unit"

    /// The match rules covering every signal `ManagerEvent` decodes.
    public static let matchRules = [
        "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'",
        "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',path='/org/freedesktop/systemd1'",
        "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.freedesktop.systemd1'",
    ]

    public let bus: BusConnection

    public init(bus: BusConnection) {
        self.bus = bus
    }

    /// Installs the match rules, then asks the manager to emit unit signals (it sends none otherwise).
    public func subscribe() async throws(BusError) {
        for rule in Self.matchRules {
            try await bus.addMatch(rule)
        }
        try await resubscribe()
    }

    /// Asks the manager to emit unit signals again (after it restarted); already subscribed is fine.
    public func resubscribe() async throws(BusError) {
        do {
            try await callManager("Subscribe")
        } catch where error.name == "org.freedesktop.systemd1.AlreadySubscribed" {
            return
        }
    }

    /// Loaded units whose names match any of the fnmatch-style patterns (all when empty).
    public func listUnits(matching patterns: [String]) async throws(BusError) -> [ListedUnit] {
        try await bus.call(
            destination: Self.destination, path: Self.managerPath, interface: Self.managerInterface,
            member: "ListUnitsByPatterns", arguments: [.strings([]), .strings(patterns)], decode: ListedUnit.readAll
        )
    }

    /// The object path of a unit, loading it if needed (so a missing unit reports LoadState=not-found).
    public func loadUnit(_ name: String) async throws(BusError) -> String {
        guard let path = try await callManager("LoadUnit", [.string(name)]).first?.string else {
            throw BusError(operation: "LoadUnit(\(name)) returned no path", errno: 74)
        }
        return path
    }

    /// Every property of every interface of the object at `path` (GetAll with an empty interface).
    public func allProperties(of path: String) async throws(BusError) -> [String: BusValue] {
        let reply = try await bus.call(
            destination: Self.destination, path: path, interface: "org.freedesktop.DBus.Properties",
            member: "GetAll", arguments: [.string("")]
        )
        guard let properties = reply.first?.stringKeyedDictionary else {
            throw BusError(operation: "GetAll on \(path) returned an unexpected shape", errno: 74)
        }
        return properties
    }

    /// Only the named properties of every interface of the object at `path`; the rest are skipped
    /// without being decoded.
    public func properties(of path: String, keeping names: Set<String>) async throws(BusError) -> [String: BusValue] {
        try await bus.call(
            destination: Self.destination, path: path, interface: "org.freedesktop.DBus.Properties",
            member: "GetAll", arguments: [.string("")]
        ) { reader throws(BusError) in try reader.readProperties(keeping: names) }
    }

    /// Reads the named properties of the unit at `path` and delivers them among the connection's
    /// signals, in bus order (see `BusConnection.readPropertiesInOrder`). False when the connection is closed.
    @discardableResult
    public func readPropertiesInOrder(of path: String, keeping names: Set<String>) -> Bool {
        bus.readPropertiesInOrder(destination: Self.destination, path: path, keeping: names)
    }

    /// Calls a manager method with the given arguments.
    @discardableResult
    public func callManager(_ member: String, _ arguments: [BusArgument] = []) async throws(BusError) -> [BusValue] {
        try await bus.call(
            destination: Self.destination, path: Self.managerPath, interface: Self.managerInterface,
            member: member, arguments: arguments
        )
    }
}
