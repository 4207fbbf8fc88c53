/// A signal from systemd's manager, decoded into what Medic cares about.
public enum ManagerEvent: Sendable, Equatable {
    /// Properties of one interface of a unit changed; `invalidated` names changed properties sent without values.
    case propertiesChanged(unitPath: String, interface: String, changed: [String: BusValue], invalidated: [String])
    /// The properties of a unit read with `BusConnection.readPropertiesInOrder`, at their place among the signals.
    case propertiesRead(unitPath: String, properties: [String: BusValue])
    /// Such a read failed; `errorName` is the D-Bus error (`org.freedesktop.DBus.Error.UnknownObject`
    /// when the unit is gone), empty for a local failure.
    case propertiesUnreadable(unitPath: String, errorName: String, description: String)
    case unitNew(name: String, path: String)
    case unitRemoved(name: String, path: String)
    /// A job finished; `job` is its object path, `result` systemd's word for how (done, failed, ...).
    case jobRemoved(id: UInt32, job: String, unit: String, result: String)
    /// `true` when a daemon-reload starts, `false` when it has finished.
    case reloading(Bool)
    /// The manager took its bus name again (e.g. after daemon-reexec): subscriptions must be renewed.
    case managerAppeared
    /// The manager released its bus name.
    case managerVanished
    /// A signal Medic subscribed to but could not read; carries a description for the log.
    case malformed(String)

    /// Decodes a signal, or returns nil for signals Medic does not use.
    public init?(signal: BusSignal) {
        if let error = signal.decodeError {
            self = .malformed("\(signal.interface).\(signal.member) on \(signal.path): \(error)")
            return
        }
        let args = signal.arguments
        switch (signal.interface, signal.member) {
        case ("org.freedesktop.DBus.Properties", "PropertiesChanged"):
            guard args.count >= 3, let interface = args[0].string,
                  let changed = args[1].stringKeyedDictionary, let invalidated = args[2].strings
            else { self = .malformed("PropertiesChanged on \(signal.path) with unexpected arguments"); return }
            self = .propertiesChanged(unitPath: signal.path, interface: interface, changed: changed, invalidated: invalidated)
        case (BusSignal.propertiesInterface, BusSignal.propertiesReply):
            guard let properties = args.first?.stringKeyedDictionary
            else { self = .malformed("GetAll reply for \(signal.path) with unexpected arguments"); return }
            self = .propertiesRead(unitPath: signal.path, properties: properties)
        case (BusSignal.propertiesInterface, BusSignal.propertiesReadFailed):
            self = .propertiesUnreadable(unitPath: signal.path, errorName: args.first?.string ?? "", description: args.dropFirst().first?.string ?? "")
        case (SystemdManager.managerInterface, "UnitNew"), (SystemdManager.managerInterface, "UnitRemoved"):
            guard args.count >= 2, let name = args[0].string, let path = args[1].string
            else { self = .malformed("\(signal.member) with unexpected arguments"); return }
            self = signal.member == "UnitNew" ? .unitNew(name: name, path: path) : .unitRemoved(name: name, path: path)
        case (SystemdManager.managerInterface, "JobRemoved"):
            guard args.count >= 4, let id = args[0].int64, let job = args[1].string, let unit = args[2].string, let result = args[3].string
            else { self = .malformed("JobRemoved with unexpected arguments"); return }
            self = .jobRemoved(id: UInt32(truncatingIfNeeded: id), job: job, unit: unit, result: result)
        case (SystemdManager.managerInterface, "Reloading"):
            guard let active = args.first?.bool else { self = .malformed("Reloading with unexpected arguments"); return }
            self = .reloading(active)
        case ("org.freedesktop.DBus", "NameOwnerChanged"):
            guard args.count >= 3, args[0].string == SystemdManager.destination, let owner = args[2].string
            else { return nil }
            self = owner.isEmpty ? .managerVanished : .managerAppeared
        default:
            return nil
        }
    }
}
