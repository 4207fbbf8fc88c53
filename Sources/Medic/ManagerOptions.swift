import ArgumentParser
import Foundation
import MedicCore
import SystemdBus

/// Which systemd manager to talk to, shared by every command that reads units.
struct ManagerOptions: ParsableArguments {
    @Flag(name: .customLong("user"), help: "The calling user's service manager (default when not root).")
    var user = false

    @Flag(name: .customLong("system"), help: "The system manager (default as root).")
    var system = false

    @Option(name: .customLong("bus-address"), help: ArgumentHelp("An explicit D-Bus address, e.g. unix:path=/run/user/1000/bus.", valueName: "address"))
    var busAddress: String?

    func validate() throws {
        if [user, system, busAddress != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --user, --system and --bus-address")
        }
    }

    var address: BusAddress {
        if let busAddress { return .address(busAddress) }
        if user { return .user }
        if system { return .system }
        return geteuid() == 0 ? .system : .user
    }
}

/// Parses unit patterns from the command line into `UnitPattern`s, with a clear error for bad ones.
func parsePatterns(_ raw: [String]) throws -> [UnitPattern] {
    do {
        return try raw.map { text throws(UnitPattern.Invalid) in try UnitPattern(text) }
    } catch {
        throw MedicFailure(error.description)
    }
}

/// The operator-facing text for a bus failure, with a hint for the usual causes.
func describeConnectionFailure(_ error: BusError, address: BusAddress) -> String {
    var text = "cannot reach systemd on \(address): \(error)"
    if error.isDisconnect || error.errno == ENXIO || error.errno == ENOMEDIUM {
        switch address {
        case .user: text += " (is a user manager running? as root, pass --system or set XDG_RUNTIME_DIR)"
        case .system: text += " (is systemd running as PID 1?)"
        case .address: text += " (check the address)"
        }
    } else if error.errno == EACCES || error.errno == EPERM || error.name == "org.freedesktop.DBus.Error.AccessDenied" {
        text += " (permission denied: run as the manager's user or as root)"
    }
    return text
}
