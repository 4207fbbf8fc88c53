import Foundation
import MedicCore

/// What a running `medic run` is doing about corrections: written to `DIR/daemon.json` (atomically) on
/// every heartbeat, so that `medic status` and `medic explain` report the daemon's own decisions,
/// holds and limits instead of assuming them.
public struct DaemonState: Codable, Sendable, Equatable {
    public var pid: Int32
    /// Seconds since the epoch.
    public var startedAt: Double
    public var heartbeat: Double
    /// Set on a clean shutdown.
    public var stoppedAt: Double?
    public var watching: Int
    public var decisions: CorrectionDecisions
    /// What each probed unit's active probes say: not in the state file itself (the daemon writes
    /// them to `probes.json` only when they change), filled in by `read(from:)`.
    public var probes: [String: ProbeState]?

    public init(pid: Int32, startedAt: Double, heartbeat: Double, stoppedAt: Double? = nil, watching: Int, decisions: CorrectionDecisions,
                probes: [String: ProbeState]? = nil) {
        self.probes = probes
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeat = heartbeat
        self.stoppedAt = stoppedAt
        self.watching = watching
        self.decisions = decisions
    }

    /// `DIR/daemon.json` next to the history store `DIR/medic.db`.
    public static func path(besideStore store: String) -> String {
        (store as NSString).deletingLastPathComponent + "/daemon.json"
    }

    /// Replaces the file in one step (written aside, then renamed).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The state last written, or nil when there is none (or it cannot be read).
    /// The probe states are read from `probes.json` beside it when the file itself has none.
    public static func read(from path: String) -> DaemonState? {
        guard let data = FileManager.default.contents(atPath: path), var state = try? JSONDecoder().decode(DaemonState.self, from: data) else { return nil }
        if state.probes == nil, let probes = FileManager.default.contents(atPath: probesPath(beside: path)) {
            state.probes = (try? JSONDecoder().decode([String: ProbeState].self, from: probes)).flatMap { $0.isEmpty ? nil : $0 }
        }
        return state
    }

    /// `probes.json` beside the state file: the probe states, which change far less often than the
    /// heartbeat, so the daemon rewrites them only when they changed.
    public static func probesPath(beside path: String) -> String {
        (path as NSString).deletingLastPathComponent + "/probes.json"
    }

    /// Replaces `probes.json` beside `path` in one step.
    public static func writeProbes(_ probes: [String: ProbeState], beside path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(probes).write(to: URL(fileURLWithPath: probesPath(beside: path)), options: .atomic)
    }

    /// Whether it describes a daemon that is running now: not stopped, its process alive, and its
    /// heartbeat recent.
    public func isLive(now: Double, heartbeatInterval: Double = 2) -> Bool {
        // EPERM: the process exists but belongs to another user (a root daemon read by an operator).
        stoppedAt == nil && (kill(pid, 0) == 0 || errno == EPERM) && now - heartbeat < max(10, heartbeatInterval * 5)
    }

    /// The unit as the running daemon knows it: a start that failed on a dependency leaves the unit
    /// inactive with Result=success, and only the daemon saw the failed job.
    /// Likewise, only the daemon runs the unit's probes: a running unit whose probe fails is what
    /// the probe makes it.
    public func adding(_ unit: UnitHealth, now: Double) -> UnitHealth {
        guard isLive(now: now) else { return unit }
        var known = unit
        if let probe = probes?[unit.name], probe.startKey == nil || probe.startKey == unit.snapshot.startKey {
            known.snapshot.probe = probe
            if unit.verdict.health == .healthy, let verdict = probe.verdict(for: unit.snapshot) { known.verdict = verdict }
        }
        guard unit.snapshot.activeState == "inactive", !unit.snapshot.hasJob,
              let note = decisions.dependencyFailures?[unit.name] else { return known }
        let failure = DependencyFailure(unit: note.root, reason: note.reason, at: note.since)
        known.snapshot.dependencyFailure = failure
        known.verdict = HealthVerdict(.failed, "failed: \(failure.description)", cause: .dependency)
        return known
    }

    /// One line for `medic status`.
    public func summary(now: Double) -> String {
        guard isLive(now: now) else {
            return "medic run: not running (last heartbeat \(Timestamp.rfc3339(seconds: stoppedAt ?? heartbeat)))"
        }
        var text = "medic run: running (pid \(pid), since \(Timestamp.rfc3339(seconds: startedAt)), heartbeat \(FailureDescription.duration(max(0, now - heartbeat))) ago), watching \(watching) units"
        let running = decisions.running
        text += running.isEmpty ? ", no correction running" : ", \(running.count) correction\(running.count == 1 ? "" : "s") running (\(running.joined(separator: ", ")))"
        if let hold = decisions.hold { text += "; mass-failure hold since \(Timestamp.rfc3339(seconds: hold.since)) on \(hold.units.count) units" }
        if !decisions.notCorrecting.isEmpty { text += "; not correcting \(decisions.notCorrecting.count) failing unit\(decisions.notCorrecting.count == 1 ? "" : "s") (medic explain UNIT says why)" }
        return text
    }

    /// What the daemon does about one unit now, in a sentence.
    public func decision(about unit: String) -> String {
        if decisions.running.contains(unit) { return "a correction of \(unit) is running" }
        if decisions.escalating.contains(unit) { return "an escalation about \(unit) is being sent" }
        if let hold = decisions.hold, hold.units.contains(unit) { return "held: \(hold.reason)" }
        if let reason = decisions.notCorrecting[unit] { return "not correcting it: \(reason)" }
        let acting = decisions.running.count - (decisions.verifying?.count ?? 0)
        return "nothing holds it back (\(acting) of \(decisions.limits.maxConcurrent) correction slots in use)"
    }
}

/// The correction service's live decisions, for `DaemonState`.
public struct CorrectionDecisions: Codable, Sendable, Equatable {
    /// Units with a correction running.
    public var running: [String]
    /// Of those, the ones only verifying now (holding no slot); absent from older daemons' files.
    public var verifying: [String]?
    public var escalating: [String]
    public var hold: Hold?
    /// Failing units Medic is not correcting, with the reason it logged.
    public var notCorrecting: [String: String]
    /// Units whose last start failed on a required unit, which systemd says only on the start job
    /// (so only the daemon knows).
    public var dependencyFailures: [String: DependencyNote]?

    /// The required unit that failed and how ("db.service", "exit-code status=1").
    public struct DependencyNote: Codable, Sendable, Equatable {
        public var root: String?
        public var reason: String?
        public var since: Double

        public init(root: String?, reason: String?, since: Double) {
            self.root = root
            self.reason = reason
            self.since = since
        }
    }
    public var limits: Limits

    public init(running: [String], verifying: [String]? = nil, escalating: [String], hold: Hold?, notCorrecting: [String: String],
                dependencyFailures: [String: DependencyNote]?, limits: Limits) {
        self.running = running
        self.verifying = verifying
        self.escalating = escalating
        self.hold = hold
        self.notCorrecting = notCorrecting
        self.dependencyFailures = dependencyFailures
        self.limits = limits
    }

    /// A mass-failure hold in force.
    public struct Hold: Codable, Sendable, Equatable {
        public var units: [String]
        public var since: Double
        public var reason: String

        public init(units: [String], since: Double, reason: String) {
            self.units = units
            self.since = since
            self.reason = reason
        }
    }

    /// The global limits in force.
    public struct Limits: Codable, Sendable, Equatable {
        public var maxConcurrent: Int
        public var maxPerMinute: Int
        public var massFailureCount: Int
        public var massFailurePercent: Double
        public var massFailureSettleSeconds: Double

        public init(_ limits: CorrectionLimits) {
            maxConcurrent = limits.maxConcurrent
            maxPerMinute = limits.maxPerMinute
            massFailureCount = limits.massFailureCount
            massFailurePercent = limits.massFailureShare * 100
            massFailureSettleSeconds = limits.massFailureSettle
        }
    }
}
