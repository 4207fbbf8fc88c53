/// A stable key for "the same failure": systemd's Result with the exit status or signal (oom-kill,
/// watchdog and timeout are Results of their own), or the health cause when systemd reports no failure
/// (flapping, stuck), plus the fingerprint of the unit's last error lines. Units and restarts that fail
/// the same way share a signature, so what was learned on one applies to the others. Pure.
public struct FailureSignature: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// What systemd says, e.g. "exit-code:status=3", "signal:SIGKILL", "oom-kill", "degraded:flapping".
    public var base: String
    /// The journal fingerprint's hash, when the unit printed error lines.
    public var journalHash: String?

    public init(base: String, journalHash: String? = nil) {
        self.base = base
        self.journalHash = journalHash
    }

    /// The signature of a unit as Medic sees it now, with its recent journal lines (oldest first).
    public init(_ unit: UnitSnapshot, verdict: HealthVerdict, journal: [String]?) {
        base = Self.base(unit, verdict: verdict)
        journalHash = journal.flatMap(JournalFingerprint.init(lines:))?.hash
    }

    /// The stored form, "base" or "base#hash"; `init(key:)` reads it back.
    public var key: String { journalHash.map { "\(base)#\($0)" } ?? base }

    public init(key: String) {
        if let mark = key.lastIndex(of: "#") {
            base = String(key[..<mark])
            journalHash = String(key[key.index(after: mark)...])
        } else {
            base = key
            journalHash = nil
        }
    }

    public var description: String { key }

    private static func base(_ unit: UnitSnapshot, verdict: HealthVerdict) -> String {
        // Killed for memory, though systemd says SIGKILL: the same failure as systemd's own oom-kill.
        if unit.outOfMemory { return "oom-kill" }
        let result = unit.result ?? "success"
        switch result {
        case "exit-code":
            return unit.execMainStatus.map { "exit-code:status=\($0)" } ?? "exit-code"
        case "signal", "core-dump":
            return unit.execMainStatus.map { "\(result):\(SignalName.of($0))" } ?? result
        case "success":
            // Nothing failed as far as systemd is concerned: the health cause is what went wrong.
            return verdict.cause == .state ? verdict.health.rawValue : "\(verdict.health.rawValue):\(verdict.cause.rawValue)"
        default:
            return result
        }
    }
}
