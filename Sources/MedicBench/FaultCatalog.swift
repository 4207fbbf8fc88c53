import Foundation

/// One realistic fault of the fault suite: the units it needs, how it begins, and what counts as
/// healed. Scripts are files beside the units, so that nothing needs quoting for systemd.
struct Fault {
    /// The row's label.
    var label: String
    /// The unit whose health decides whether the fault was healed.
    var unit: String
    /// Unit files and scripts: unit name -> unit file text; scripts go in `scripts` (file name -> text).
    var units: [String: String]
    var scripts: [String: String] = [:]
    /// What to start to begin the fault.
    var start: String
    var kind: Kind = .service
    /// Who can heal it: Medic, systemd on its own, or nobody.
    var healer: Healer
    /// Any job Medic asks for on these units is harmful (systemd handles them, or they are protected).
    var handsOff: Set<String> = []

    enum Kind {
        /// Healed when active.
        case service
        /// A oneshot job: healed when a run after the failure ended in success.
        case batch
    }

    enum Healer: String, Encodable {
        case medic
        case systemd
        case nobody
        /// Not a fault: a unit that must be left alone.
        case untouched = "nothing to heal"
    }
}

/// The faults, each with a name prefix of its own under `directory` (scripts and state files).
enum FaultCatalog {
    static func faults(directory: String, prefix: String, memoryCgroups: String?) -> [Fault] {
        func unit(_ name: String) -> String { "\(prefix)-\(name).service" }
        func script(_ name: String) -> String { "\(directory)/\(prefix)-\(name).sh" }
        /// Fails (`failure`) on its first `times` runs, then `tail`: a counter file beside it.
        func failsTimes(_ name: String, _ times: Int, failure: String = "exit 1", then tail: String = "exec sleep infinity") -> String {
            let counter = "\(directory)/\(prefix)-\(name).count"
            return "n=$(cat \(counter) 2>/dev/null || echo 0)\necho $((n + 1)) > \(counter)\n[ \"$n\" -ge \(times) ] || { \(failure); }\n\(tail)\n"
        }
        var faults: [Fault] = []

        faults.append(Fault(label: "fails once", unit: unit("fails-once"),
                            units: [unit("fails-once"): "[Service]\nExecStart=/bin/sh \(script("fails-once"))\n"],
                            scripts: [script("fails-once"): failsTimes("fails-once", 1)],
                            start: unit("fails-once"), healer: .medic))

        faults.append(Fault(label: "crash loop that clears (Restart=on-failure)", unit: unit("loop-clears"),
                            units: [unit("loop-clears"): "[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=on-failure\nRestartSec=1\nExecStart=/bin/sh \(script("loop-clears"))\n"],
                            scripts: [script("loop-clears"): failsTimes("loop-clears", 6)],
                            start: unit("loop-clears"), healer: .systemd, handsOff: [unit("loop-clears")]))

        faults.append(Fault(label: "start limit hit", unit: unit("start-limit"),
                            units: [unit("start-limit"): "[Unit]\nStartLimitBurst=3\nStartLimitIntervalSec=1min\n[Service]\nRestart=always\nRestartSec=100ms\nExecStart=/bin/sh \(script("start-limit"))\n"],
                            scripts: [script("start-limit"): failsTimes("start-limit", 4)],
                            start: unit("start-limit"), healer: .medic))

        let watchdogFlag = "\(directory)/\(prefix)-watchdog.ran"
        faults.append(Fault(label: "watchdog hang", unit: unit("watchdog"),
                            units: [unit("watchdog"): "[Service]\nType=notify\nWatchdogSec=2\nExecStart=/usr/bin/python3 \(directory)/\(prefix)-watchdog.py\n"],
                            scripts: ["\(directory)/\(prefix)-watchdog.py": """
                                import os, socket, time
                                address = os.environ["NOTIFY_SOCKET"]
                                if address.startswith("@"): address = "\\0" + address[1:]
                                notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                                notify.sendto(b"READY=1", address)
                                healthy = os.path.exists("\(watchdogFlag)")
                                open("\(watchdogFlag)", "a").close()
                                while True:
                                    if healthy: notify.sendto(b"WATCHDOG=1", address)
                                    time.sleep(0.5)

                                """],
                            start: unit("watchdog"), healer: .medic))

        if let memoryCgroups {
            // The user manager cannot apply MemoryMax on cgroup v1: the service applies its own MemoryMax
            // to a v1 memory cgroup, as the system manager would; the kernel then kills it with SIGKILL.
            func hungry(_ name: String, megabytes: Int) -> Fault {
                let body = "limit=$(systemctl --user show -P MemoryMax \(unit(name)))\nmkdir -p \(memoryCgroups)/\(name)-$$\necho $limit > \(memoryCgroups)/\(name)-$$/memory.limit_in_bytes\necho $$ > \(memoryCgroups)/\(name)-$$/cgroup.procs\nexec python3 -c 'import time; x = bytearray(\(megabytes) << 20); time.sleep(1e9)'\n"
                return Fault(label: "", unit: unit(name),
                             units: [unit(name): "[Service]\nEnvironment=XDG_RUNTIME_DIR=\(directory)\nMemoryMax=40M\nExecStart=/bin/sh \(script(name))\n"],
                             scripts: [script(name): body], start: unit(name), healer: .medic)
            }
            var fits = hungry("oom-fits", megabytes: 48)
            fits.label = "out of memory, a raise fixes it (cgroup v1: systemd says SIGKILL)"
            faults.append(fits)
            var never = hungry("oom-never", megabytes: 400)
            never.label = "out of memory beyond the playbook's cap"
            never.healer = .nobody
            faults.append(never)
        }

        faults.append(Fault(label: "dependency failed (its config check failed once)", unit: unit("app"),
                            units: [
                                unit("db"): "[Service]\nExecStartPre=/bin/sh \(script("db-check"))\nExecStart=/bin/sleep infinity\n",
                                unit("app"): "[Unit]\nRequires=\(unit("db"))\nAfter=\(unit("db"))\n[Service]\nExecStart=/bin/sleep infinity\n",
                            ],
                            scripts: [script("db-check"): failsTimes("db-check", 1, then: "exit 0")],
                            start: unit("app"), healer: .medic))

        faults.append(Fault(label: "oneshot job that fails once", unit: unit("oneshot"),
                            units: [unit("oneshot"): "[Service]\nType=oneshot\nExecStart=/bin/sh \(script("oneshot"))\n"],
                            scripts: [script("oneshot"): failsTimes("oneshot", 1, then: "exit 0")],
                            start: unit("oneshot"), kind: .batch, healer: .medic))

        faults.append(Fault(label: "timer job that fails", unit: unit("nightly"),
                            units: [
                                "\(prefix)-nightly.timer": "[Timer]\nOnActiveSec=1\nAccuracySec=1ms\n",
                                unit("nightly"): "[Service]\nType=oneshot\nExecStart=/bin/sh \(script("nightly"))\n",
                            ],
                            scripts: [script("nightly"): failsTimes("nightly", 1, then: "exit 0")],
                            start: "\(prefix)-nightly.timer", kind: .batch, healer: .medic))

        faults.append(Fault(label: "permanently broken (exit 78, bad configuration)", unit: unit("broken"),
                            units: [unit("broken"): "[Service]\nExecStart=/bin/sh -c 'exit 78'\n"],
                            start: unit("broken"), healer: .nobody))

        faults.append(Fault(label: "flapping, systemd recovers it alone", unit: unit("flapping"),
                            units: [unit("flapping"): "[Unit]\nStartLimitIntervalSec=0\n[Service]\nRestart=always\nRestartSec=2\nExecStart=/bin/sh \(script("flapping"))\n"],
                            scripts: [script("flapping"): failsTimes("flapping", 4, failure: "sleep 1; exit 1")],
                            start: unit("flapping"), healer: .systemd, handsOff: [unit("flapping")]))

        faults.append(Fault(label: "protected unit fails", unit: unit("precious"),
                            units: [unit("precious"): "[Service]\nExecStart=/bin/sh \(script("precious"))\n"],
                            scripts: [script("precious"): failsTimes("precious", 1)],
                            start: unit("precious"), healer: .nobody, handsOff: [unit("precious")]))

        faults.append(Fault(label: "healthy bystander", unit: unit("bystander"),
                            units: [unit("bystander"): "[Service]\nExecStart=/bin/sleep infinity\n"],
                            start: unit("bystander"), healer: .untouched, handsOff: [unit("bystander")]))
        return faults
    }
}
