import Foundation
import MedicCore
import SystemdBus

extension UnitSnapshot {
    /// The properties `apply(_:)` reads; a change to any other property does not affect health.
    public static let healthProperties: Set<String> = [
        "Id", "Description", "LoadState", "ActiveState", "SubState", "Result", "ExecMainCode", "ExecMainStatus",
        "NRestarts", "InvocationID", "ExecMainStartTimestamp", "StateChangeTimestamp", "Type", "RemainAfterExit",
        "TriggeredBy", "NextElapseUSecRealtime", "NextElapseUSecMonotonic", "Job", "Restart", "RestartUSec", "Transient",
    ]

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
            case "ActiveState": activeState = value.string ?? activeState
            case "SubState": subState = value.string ?? subState
            case "Result": result = value.string
            case "ExecMainCode": execMainCode = value.int64.map { Int32(truncatingIfNeeded: $0) }
            case "ExecMainStatus": execMainStatus = value.int64.map { Int32(truncatingIfNeeded: $0) }
            case "NRestarts": restartCount = value.int64.map { UInt32(truncatingIfNeeded: $0) }
            case "InvocationID": invocationID = Self.hex(value)
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
    }

    /// 0 and UINT64_MAX mean "never" in systemd's timestamps.
    private static func timestamp(_ value: BusValue) -> UInt64? {
        guard let v = value.uint64, v != 0, v != UInt64.max else { return nil }
        return v
    }

    private static func hex(_ value: BusValue) -> String? {
        guard let bytes = value.array else { return nil }
        var text = ""
        for byte in bytes {
            guard case .byte(let b) = byte else { return nil }
            text += String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16)
        }
        return text
    }
}
