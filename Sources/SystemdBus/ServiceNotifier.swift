import CSystemd
import Glibc

/// Tells the service manager that started Medic how it is doing (sd_notify): READY=1 once it works,
/// STATUS= lines, WATCHDOG=1 keep-alives, RELOADING=1 and STOPPING=1. Does nothing when Medic was
/// not started as a Type=notify unit (no NOTIFY_SOCKET).
public struct ServiceNotifier: Sendable {
    /// Seconds between keep-alives systemd expects at the latest (WatchdogSec=), when it watches Medic.
    public let watchdogTimeout: Double?
    /// Whether a service manager listens (NOTIFY_SOCKET is set): Medic runs as its unit.
    public let isSupervised: Bool

    public init() {
        isSupervised = getenv("NOTIFY_SOCKET") != nil
        var micros: UInt64 = 0
        watchdogTimeout = sd_watchdog_enabled(0, &micros) > 0 && micros > 0 ? Double(micros) / 1_000_000 : nil
    }

    /// Sends one notification; returns false when there is no manager to tell or sending failed.
    @discardableResult
    public func send(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func watchdog() { send("WATCHDOG=1") }
    public func reloading() { send("RELOADING=1") }
    public func stopping() { send("STOPPING=1\nSTATUS=stopping: finishing running corrections and writing history") }
}
