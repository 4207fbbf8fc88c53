/// The deliberately unhealthy units `medic demo` creates, one per health class.
enum DemoUnits {
    static let prefix = "medic-demo-"
    static let web = "medic-demo-web.service"
    static let bogus = "medic-demo-bogus.service"

    static let files: [String: String] = [
        web: """
        [Unit]
        Description=Medic demo: a healthy long-running service (killed with SIGKILL during the demo)
        [Service]
        ExecStart=/bin/sleep infinity
        """,
        "medic-demo-crash.service": """
        [Unit]
        Description=Medic demo: a service that exits with status 3
        [Service]
        ExecStart=/bin/sh -c 'echo "cannot open /etc/demo.conf"; exit 3'
        """,
        "medic-demo-flap.service": """
        [Unit]
        Description=Medic demo: a service that crashes every second and is restarted by systemd
        StartLimitIntervalSec=0
        [Service]
        ExecStart=/bin/sh -c 'sleep 1; exit 1'
        Restart=always
        RestartSec=200ms
        """,
        "medic-demo-batch.service": """
        [Unit]
        Description=Medic demo: a oneshot job run by a timer
        [Service]
        Type=oneshot
        ExecStart=/bin/true
        """,
        "medic-demo-batch.timer": """
        [Unit]
        Description=Medic demo: runs the batch job nightly
        [Timer]
        OnCalendar=*-*-* 03:00:00
        """,
        bogus: """
        [Unit]
        Description=Medic demo: a unit file with no ExecStart (bad setting)
        [Service]
        Type=simple
        """,
    ]

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

    /// The units to start; the bogus one cannot start and the batch job waits for its timer.
    static let started = [web, "medic-demo-crash.service", "medic-demo-flap.service", "medic-demo-batch.timer"]
}
