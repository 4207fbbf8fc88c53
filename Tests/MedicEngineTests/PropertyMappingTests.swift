import MedicCore
import MedicEngine
import SystemdBus
import Testing

@Suite("Reading systemd properties and signals")
struct PropertyMappingTests {
    let clock = WallClock(now: { 1_800_000_000 }, monotonicMicros: { 1_000_000_000 })

    @Test("GetAll properties become a snapshot, with types checked")
    func snapshotFromProperties() throws {
        let properties: [String: BusValue] = [
            "Id": .string("web.service"), "Description": .string("Web"), "LoadState": .string("loaded"),
            "ActiveState": .string("failed"), "SubState": .string("failed"), "Result": .string("exit-code"),
            "ExecMainCode": .int32(1), "ExecMainStatus": .int32(3), "NRestarts": .uint32(2),
            "InvocationID": .array([.byte(0x0a), .byte(0xff)]), "ExecMainStartTimestamp": .uint64(5),
            "StateChangeTimestamp": .uint64(0), "Type": .string("oneshot"), "RemainAfterExit": .bool(true),
            "TriggeredBy": .array([.string("web.timer")]), "Job": .structure([.uint32(7), .objectPath("/j/7")]),
            "Restart": .string("on-failure"), "RestartUSec": .uint64(100_000),
            "ActiveEnterTimestamp": .string("ignored"),
        ]
        let s = try #require(UnitSnapshot(properties: properties, clock: clock))
        #expect(s.name == "web.service")
        #expect(s.result == "exit-code")
        #expect(s.execMainStatus == 3)
        #expect(s.restartCount == 2)
        #expect(s.invocationID == "0aff")
        #expect(s.execMainStartMicros == 5)
        #expect(s.stateChangeMicros == nil)
        #expect(s.serviceType == "oneshot")
        #expect(s.remainAfterExit == true)
        #expect(s.triggeredBy == ["web.timer"])
        #expect(s.hasJob)
        #expect(s.restartPolicy == "on-failure")
        #expect(s.restartDelayMicros == 100_000)
    }

    @Test("a failed control command is named with its kind and status; the main process's status is not used")
    func controlCommandFailure() throws {
        func command(_ path: String, exit: UInt64, code: Int32, status: Int32, ignore: Bool = false) -> BusValue {
            .structure([.string(path), .array([.string(path)]), .bool(ignore), .uint64(1), .uint64(1), .uint64(exit), .uint64(exit), .uint32(9), .int32(code), .int32(status)])
        }
        var s = try #require(UnitSnapshot(properties: [
            "Id": .string("web.service"), "ActiveState": .string("failed"), "Result": .string("exit-code"),
            "ExecMainCode": .int32(0), "ExecMainStatus": .int32(0), "InvocationID": .array([.byte(1)]),
        ], clock: clock))
        #expect(s.failureIsInControlCommand)
        #expect(FailureDescription.describe(s) == "exit-code in a control command (ExecStartPre=, ExecStop=, ...), not the main process")
        // Restarting, the last run's Result is still shown while the main process's status is reset:
        // that is not a failed control command, and must not cost a read on every restart.
        var restarting = s
        restarting.activeState = "activating"
        #expect(!restarting.failureIsInControlCommand)
        s.apply([
            "ExecStartPre": .array([command("/bin/true", exit: 10, code: 1, status: 0), command("/usr/bin/check", exit: 20, code: 1, status: 4)]),
            "ExecStopPost": .array([command("/bin/ignored", exit: 30, code: 1, status: 1, ignore: true)]),
            "ExecStop": .array([]),
        ], clock: clock)
        #expect(FailureDescription.describe(s) == "ExecStartPre=/usr/bin/check exit-code status=4")
        s.apply(["ExecStopPost": .array([command("/bin/kill", exit: 40, code: 2, status: 9)])], clock: clock)
        #expect(FailureDescription.describe(s) == "ExecStopPost=/bin/kill signal SIGKILL")
        // A new run forgets the old failure.
        s.apply(["InvocationID": .array([.byte(2)])], clock: clock)
        #expect(s.controlFailure == nil)
        // A main process that failed by itself is described as before.
        var main = s
        main.execMainStartMicros = 5; main.execMainCode = 1; main.execMainStatus = 3
        #expect(FailureDescription.describe(main) == "exit-code status=3")
    }

    @Test("a value of the wrong type is ignored, not a crash")
    func wrongTypes() throws {
        var s = try #require(UnitSnapshot(properties: ["Id": .string("a.service"), "ActiveState": .string("active")], clock: clock))
        s.apply(["ActiveState": .uint32(1), "NRestarts": .string("many"), "InvocationID": .string("x")], clock: clock)
        #expect(s.activeState == "active")
        #expect(s.restartCount == nil)
        #expect(s.invocationID == nil)
        #expect(UnitSnapshot(properties: ["ActiveState": .string("active")], clock: clock) == nil)
    }

    @Test("a monotonic-only timer elapse is converted to wall time")
    func monotonicTimer() throws {
        let s = try #require(UnitSnapshot(properties: [
            "Id": .string("t.timer"), "NextElapseUSecRealtime": .uint64(0), "NextElapseUSecMonotonic": .uint64(1_060_000_000),
        ], clock: clock))
        #expect(s.nextElapseMicros == 1_800_000_060_000_000)
    }

    @Test("manager signals decode; foreign or malformed ones do not crash")
    func signals() {
        func signal(_ interface: String, _ member: String, _ args: [BusValue], path: String = "/org/freedesktop/systemd1") -> ManagerEvent? {
            ManagerEvent(signal: BusSignal(sender: ":1.1", path: path, interface: interface, member: member, arguments: args))
        }
        let manager = "org.freedesktop.systemd1.Manager"
        #expect(signal(manager, "UnitNew", [.string("a.service"), .objectPath("/u/a")]) == .unitNew(name: "a.service", path: "/u/a"))
        #expect(signal(manager, "UnitRemoved", [.string("a.service"), .objectPath("/u/a")]) == .unitRemoved(name: "a.service", path: "/u/a"))
        #expect(signal(manager, "JobRemoved", [.uint32(4), .objectPath("/j"), .string("a.service"), .string("done")]) == .jobRemoved(id: 4, job: "/j", unit: "a.service", result: "done"))
        #expect(signal(manager, "Reloading", [.bool(false)]) == .reloading(false))
        #expect(signal("org.freedesktop.DBus", "NameOwnerChanged", [.string("org.freedesktop.systemd1"), .string(""), .string(":1.9")]) == .managerAppeared)
        #expect(signal("org.freedesktop.DBus", "NameOwnerChanged", [.string("org.freedesktop.systemd1"), .string(":1.9"), .string("")]) == .managerVanished)
        #expect(signal("org.freedesktop.DBus", "NameOwnerChanged", [.string("other.name"), .string(""), .string(":1.9")]) == nil)
        let changed = signal("org.freedesktop.DBus.Properties", "PropertiesChanged", [
            .string("org.freedesktop.systemd1.Unit"),
            .array([.dictEntry(key: .string("ActiveState"), value: .variant(.string("failed")))]),
            .array([.string("Conditions")]),
        ], path: "/org/freedesktop/systemd1/unit/a_2eservice")
        #expect(changed == .propertiesChanged(unitPath: "/org/freedesktop/systemd1/unit/a_2eservice", interface: "org.freedesktop.systemd1.Unit", changed: ["ActiveState": .string("failed")], invalidated: ["Conditions"]))
        if case .malformed? = signal(manager, "UnitNew", [.uint32(1)]) {} else { Issue.record("a malformed UnitNew must be reported as malformed") }
        if case .malformed? = ManagerEvent(signal: BusSignal(sender: "", path: "/", interface: manager, member: "Reloading", arguments: [], decodeError: "bad")) {} else {
            Issue.record("an undecodable signal must be reported as malformed")
        }
        #expect(signal("org.example.Other", "Thing", []) == nil)
    }

    @Test("unit object paths decode with sd-bus's escaping")
    func objectPaths() {
        #expect(UnitObjectPath.unitName(of: "/org/freedesktop/systemd1/unit/a_2eservice") == "a.service")
        #expect(UnitObjectPath.unitName(of: "/org/freedesktop/systemd1/unit/dev_2dsda_2edevice") == "dev-sda.device")
        #expect(UnitObjectPath.unitName(of: "/org/freedesktop/systemd1") == nil)
    }
}

@Suite("Journal fields")
struct JournalFieldTests {
    @Test("metadata keys become MEDIC_ fields; levels become syslog priorities")
    func fields() {
        let fields = JournalLogHandler.fields(level: .warning, message: "budget breached", metadata: [
            "unit.name": "web.service", "medic.playbook": "restart", "medic.correction-id": "12", "slo.state": "breached",
        ])
        #expect(fields.map { "\($0.name)=\($0.value)" } == [
            "MESSAGE=budget breached", "PRIORITY=4", "SYSLOG_IDENTIFIER=medic",
            "MEDIC_CORRECTION_ID=12", "MEDIC_PLAYBOOK=restart", "MEDIC_SLO_STATE=breached", "MEDIC_UNIT=web.service",
        ])
        #expect(JournalLogHandler.fields(level: .critical, message: "x", metadata: [:])[1].value == "2")
        #expect(JournalLogHandler.fields(level: .trace, message: "x", metadata: [:])[1].value == "7")
    }
}
