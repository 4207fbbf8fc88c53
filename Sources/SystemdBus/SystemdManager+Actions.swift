/// The manager methods that change units (`man 5 org.freedesktop.systemd1`). Each returns as soon as
/// systemd accepted the request; `JobRunner` also waits for the job to finish.
extension SystemdManager {
    /// Unit methods that queue a job, by the name systemctl uses for them.
    public enum JobVerb: String, Sendable, CaseIterable {
        case start = "StartUnit"
        case stop = "StopUnit"
        case restart = "RestartUnit"
        case reload = "ReloadUnit"
    }

    /// Queues a job for the unit (mode "replace", as systemctl does) and returns the job's object path.
    public func enqueue(_ verb: JobVerb, unit: String, mode: String = "replace") async throws(BusError) -> String {
        guard let path = try await callManager(verb.rawValue, [.string(unit), .string(mode)]).first?.string else {
            throw BusError(operation: "\(verb.rawValue)(\(unit)) returned no job", errno: 74)
        }
        return path
    }

    /// Clears the unit's failed state and its start-limit counter.
    public func resetFailed(unit: String) async throws(BusError) {
        try await callManager("ResetFailedUnit", [.string(unit)])
    }

    /// Sends `signal` to the unit's `whom` processes ("main", "control" or "all").
    public func kill(unit: String, whom: String, signal: Int32) async throws(BusError) {
        try await callManager("KillUnit", [.string(unit), .string(whom), .int32(signal)])
    }

    /// Sets unit properties; with `runtime` the change lasts until the next reboot only.
    public func setProperties(unit: String, runtime: Bool, _ properties: [(String, BusArgument)]) async throws(BusError) {
        let values = properties.map { BusArgument.structure([.string($0.0), .variant($0.1)]) }
        try await callManager("SetUnitProperties", [.string(unit), .bool(runtime), .array(elementSignature: "(sv)", values)])
    }

    /// Creates and starts a transient unit (as `systemd-run` does): no unit file, no daemon-reload;
    /// the unit goes away when it stops (a failed one at its reset-failed). `auxiliary` units are
    /// created with it, such as the service a transient timer starts. Returns the start job's path.
    @discardableResult
    public func startTransientUnit(_ name: String, properties: [(String, BusArgument)],
                                   auxiliary: [(name: String, properties: [(String, BusArgument)])] = [],
                                   mode: String = "fail") async throws(BusError) -> String {
        func list(_ properties: [(String, BusArgument)]) -> BusArgument {
            .array(elementSignature: "(sv)", properties.map { .structure([.string($0.0), .variant($0.1)]) })
        }
        let aux = BusArgument.array(elementSignature: "(sa(sv))", auxiliary.map { .structure([.string($0.name), list($0.properties)]) })
        guard let path = try await callManager("StartTransientUnit", [.string(name), .string(mode), list(properties), aux]).first?.string else {
            throw BusError(operation: "StartTransientUnit(\(name)) returned no job", errno: 74)
        }
        return path
    }

    /// The `ExecStart` property of a transient service: one command, argv as given, whose failure
    /// counts (`(sasb)` as `man 5 org.freedesktop.systemd1` describes).
    public static func execStart(_ argv: [String]) -> BusArgument {
        .array(elementSignature: "(sasb)", [.structure([.string(argv[0]), .strings(argv), .bool(false)])])
    }

    /// The object path of a loaded unit.
    public func unitPath(_ name: String) async throws(BusError) -> String {
        guard let path = try await callManager("GetUnit", [.string(name)]).first?.string else {
            throw BusError(operation: "GetUnit(\(name)) returned no path", errno: 74)
        }
        return path
    }

    /// The object path of a loaded unit, or nil when the manager answers that it has no such unit
    /// (other failures, such as a manager re-executing, are thrown: they say nothing about the unit).
    public func loadedUnitPath(_ name: String) async throws(BusError) -> String? {
        do {
            return try await unitPath(name)
        } catch where error.name == "org.freedesktop.systemd1.NoSuchUnit" {
            return nil
        }
    }

    /// Whether a unit file exists for the unit, loaded or not (GetUnitFileState answers): a unit
    /// that systemd unloaded because nothing referenced it (a finished batch job) still exists and
    /// can be started again. A transient unit's file goes with the unit.
    public func hasUnitFile(_ name: String) async throws(BusError) -> Bool {
        do {
            let state = try await callManager("GetUnitFileState", [.string(name)]).first?.string
            return state != nil && state != "bad"
        } catch where error.name == "org.freedesktop.DBus.Error.FileNotFound" || error.name == "org.freedesktop.systemd1.NoSuchUnit" {
            return false
        }
    }
}
