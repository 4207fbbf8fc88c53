import Foundation
import MedicCore
import SystemdBus

extension UnitSnapshot {
    /// The properties `apply(_:)` reads; a change to any other property does not affect health.
    public static let healthProperties: Set<String> = [
        "Id", "Description", "LoadState", "ActiveState", "SubState", "Result", "ExecMainCode", "ExecMainStatus",
        "NRestarts", "InvocationID", "ExecMainStartTimestamp", "StateChangeTimestamp", "Type", "RemainAfterExit",
        "TriggeredBy", "NextElapseUSecRealtime", "NextElapseUSecMonotonic", "Job", "Restart", "RestartUSec", "Transient",
        "ExecMainPID",
    ]

    /// A service's control commands, read only for a failure its main process does not explain.
    public static let controlCommandProperties: Set<String> = ["ExecCondition", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost"]

    /// Builds a snapshot from a unit's properties (GetAll); nil when they do not name the unit.
    public init?(properties: [String: BusValue], clock: WallClock = .system) {
        guard let name = properties["Id"]?.string, !name.isEmpty else { return nil }
        self.init(name: name)
        apply(properties, clock: clock)
    }

    /// Updates the fields present in `properties`, ignoring values of unexpected types.
    public mutating func apply(_ properties: [String: BusValue], clock: WallClock = .system) {
        for (key, value) in properties {
            switch key {
            case "Description": description = value.string ?? description
            case "LoadState": loadState = value.string ?? loadState
            case "ActiveState":
                activeState = value.string ?? activeState
                // Started again (or failed on its own): a dependency failure of its last start is history.
                if activeState != "inactive" { dependencyFailure = nil }
            case "SubState": subState = value.string ?? subState
            case "Result": result = value.string
            case "ExecMainCode": execMainCode = value.int64.map { Int32(truncatingIfNeeded: $0) }
            case "ExecMainStatus": execMainStatus = value.int64.map { Int32(truncatingIfNeeded: $0) }
            case "ExecMainPID":
                let pid = value.int64.map { UInt32(truncatingIfNeeded: $0) }
                if pid != execMainPID { outOfMemory = false }  // another process: the old evidence is history
                execMainPID = pid
            case "NRestarts": restartCount = value.int64.map { UInt32(truncatingIfNeeded: $0) }
            case "InvocationID":
                let id = Self.hex(value)
                if id != invocationID { controlFailure = nil }  // a new run: the old failure is history
                invocationID = id
            case "ExecMainStartTimestamp": execMainStartMicros = Self.timestamp(value)
            case "StateChangeTimestamp": stateChangeMicros = Self.timestamp(value)
            case "Type" where type == .service: serviceType = value.string
            case "RemainAfterExit": remainAfterExit = value.bool
            case "TriggeredBy": triggeredBy = value.strings ?? triggeredBy
            case "NextElapseUSecRealtime":
                if let micros = Self.timestamp(value) { nextElapseMicros = micros }
                else if properties["NextElapseUSecMonotonic"] == nil { nextElapseMicros = nil }
            case "NextElapseUSecMonotonic":
                // Timers on monotonic clocks only (OnUnitActiveSec=...): convert to wall time.
                let realtime = properties["NextElapseUSecRealtime"].flatMap(Self.timestamp)
                if realtime == nil, let mono = Self.timestamp(value) {
                    nextElapseMicros = clock.realtime(fromMonotonicMicros: mono)
                }
            case "Restart" where type == .service: restartPolicy = value.string
            case "RestartUSec" where type == .service: restartDelayMicros = value.uint64
            case "Transient": transient = value.bool ?? transient
            case "Job": hasJob = (value.structure?.first?.int64 ?? 0) != 0
            default: continue
            }
        }
        if properties.keys.contains(where: Self.controlCommandProperties.contains) {
            controlFailure = Self.latestFailure(in: properties)
        }
    }

    /// The control command that ended last with a failure (exec status `a(sasbttttuii)`: path, argv,
    /// ignore-errors, start and exit timestamps, pid, code, status); commands whose errors are ignored
    /// do not count.
    private static func latestFailure(in properties: [String: BusValue]) -> ControlCommandFailure? {
        var latest: (exit: UInt64, failure: ControlCommandFailure)?
        for kind in controlCommandProperties.sorted() {
            for command in properties[kind]?.array ?? [] {
                guard let fields = command.structure, fields.count >= 10, let path = fields[0].string, fields[2].bool == false,
                      let exit = fields[5].uint64, exit != 0, let code = fields[8].int64, let status = fields[9].int64 else { continue }
                guard code != 1 || status != 0, exit > latest?.exit ?? 0 else { continue }
                latest = (exit, ControlCommandFailure(kind: kind, path: path, code: Int32(truncatingIfNeeded: code), status: Int32(truncatingIfNeeded: status)))
            }
        }
        return latest?.failure
    }

    /// 0 and UINT64_MAX mean "never" in systemd's timestamps.
    private static func timestamp(_ value: BusValue) -> UInt64? {
        guard let v = value.uint64, v != 0, v != UInt64.max else { return nil }
        return v
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of a byte array (an InvocationID), written into one buffer: it comes with
    /// every change of a unit.
    private static func hex(_ value: BusValue) -> String? {
        guard let bytes = value.array else { return nil }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            guard case .byte(let b) = byte else { return nil }
            text.append(hexDigits[Int(b >> 4)])
            text.append(hexDigits[Int(b & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension UnitSnapshot {
    /// What the manager's unit list says of a unit (its states and whether a job is queued), marked
    /// `detailsPending` until its properties are read.
    public init(listed unit: ListedUnit) {
        self.init(name: unit.name)
        description = unit.description
        loadState = unit.loadState
        activeState = unit.activeState
        subState = unit.subState
        hasJob = unit.jobID != 0
        detailsPending = true
    }

    /// Whether a listed unit's details are worth reading before the others': it is not simply
    /// running or stopped (failed, changing state, with a job, or not loaded cleanly).
    public var worthReadingFirst: Bool {
        hasJob || loadState != "loaded" || !["active", "inactive"].contains(activeState)
    }
}
