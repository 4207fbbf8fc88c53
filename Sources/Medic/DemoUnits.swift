import SystemdBus

/// The deliberately unhealthy units `medic demo` creates, one per health class.
enum DemoUnits {
    static let prefix = "medic-demo-"
    static let web = "medic-demo-web.service"
    static let bogus = "medic-demo-bogus.service"
    static let crash = "medic-demo-crash.service"

    /// One demo unit as `StartTransientUnit` creates it: no unit file, nothing for a daemon-reload.
    struct Transient: Sendable {
        let name: String
        let properties: [(String, BusArgument)]
        var auxiliary: [(name: String, properties: [(String, BusArgument)])] = []
    }

    /// The units every demo creates, transient, so that on a real host the demo writes no file under
    /// /run/systemd and never reloads the manager (which would apply other people's pending edits).
    static let transient: [Transient] = [
        Transient(name: web, properties: [
            ("Description", .string("Medic demo: a healthy long-running service (killed with SIGKILL during the demo)")),
            ("ExecStart", SystemdManager.execStart(["/bin/sleep", "infinity"])),
        ]),
        Transient(name: crash, properties: [
            ("Description", .string("Medic demo: a service that exits with status 3")),
            ("ExecStart", SystemdManager.execStart(["/bin/sh", "-c", "echo 'cannot open /etc/demo.conf'; exit 3"])),
        ]),
        Transient(name: "medic-demo-flap.service", properties: [
            ("Description", .string("Medic demo: a service that crashes every second and is restarted by systemd")),
            ("ExecStart", SystemdManager.execStart(["/bin/sh", "-c", "sleep 1; exit 1"])),
            ("Restart", .string("always")),
            ("RestartUSec", .uint64(200_000)),
            ("StartLimitIntervalUSec", .uint64(0)),
        ]),
        Transient(name: "medic-demo-batch.timer", properties: [
            ("Description", .string("Medic demo: runs the batch job nightly")),
            ("TimersCalendar", .array(elementSignature: "(ss)", [.structure([.string("OnCalendar"), .string("*-*-* 03:00:00")])])),
        ], auxiliary: [(name: "medic-demo-batch.service", properties: [
            ("Description", .string("Medic demo: a oneshot job run by a timer")),
            ("Type", .string("oneshot")),
            ("ExecStart", SystemdManager.execStart(["/bin/true"])),
        ])]),
    ]

    /// A unit file with a bad setting: only a file can be bad, so the demo writes it in its sandbox
    /// alone, never on a real host.
    static let bogusFile = """
        [Unit]
        Description=Medic demo: a unit file with no ExecStart (bad setting)
        [Service]
        Type=simple
        """

    /// Every demo unit, for teardown.
    static let names = transient.flatMap { [$0.name] + $0.auxiliary.map(\.name) } + [bogus]

    /// Quick playbooks for the demo's healing part (the shipped ones verify over 30 s and more).
    static let playbooks: [String: String] = [
        "demo-restart.yaml": """
        name: demo-restart
        description: Restart the killed web service and check it stays up.
        priority: 10
        trigger: failure
        match: {units: "\(web)", health: failed}
        steps: [restart]
        verify: {healthy-for: 2s, within: 10s}
        """,
        "demo-more-memory.yaml": """
        name: demo-more-memory
        description: Give the crashing service more memory and restart it (it will not help).
        trigger: failure
        match: {units: "medic-demo-crash.service", health: failed}
        steps:
          - set-property: {name: MemoryMax, value: "+25%", max: 1G}
          - restart
        verify: {healthy-for: 2s, within: 4s}
        rollback: automatic
        """,
    ]
}
