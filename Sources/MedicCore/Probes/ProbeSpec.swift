/// One active health check of a unit, as an operator declares it: what to try, how often, and how
/// many results in a row change the probe's verdict.
public struct ProbeSpec: Sendable, Equatable {
    /// What a probe tries.
    public enum Kind: Sendable, Equatable {
        /// A GET whose status must be in `expectStatus` and whose body (read up to a cap) must
        /// contain `bodyContains` when set.
        case http(url: String, expectStatus: [ClosedRange<Int>], bodyContains: String?, headers: [String: String], insecure: Bool)
        /// A TCP connection that opens.
        case tcp(host: String, port: Int)
        /// A connection to a unix socket that opens.
        case unix(path: String)
        /// A program (an argument list, never a shell) that exits 0, run as `user` when set.
        case exec(argv: [String], user: String?)

        /// Whether it runs a program (bounded apart from network probes: a process each).
        public var isExec: Bool {
            if case .exec = self { return true }
            return false
        }

        /// How a result names the probe: "http GET http://127.0.0.1:8080/healthz".
        public var label: String {
            switch self {
            case .http(let url, _, _, _, _): return "http GET \(url)"
            case .tcp(let host, let port): return "tcp \(host):\(port)"
            case .unix(let path): return "unix \(path)"
            case .exec(let argv, _): return "exec \(argv.first ?? "")"
            }
        }
    }

    public var kind: Kind
    /// The operator's name for it, which playbooks can match (`match.probes`); nil when unnamed.
    public var name: String?
    /// Seconds from the start of one probe to the start of the next.
    public var interval: Double
    /// Seconds a probe may take before it counts as failed.
    public var timeout: Double
    /// Failures in a row that make the probe failing.
    public var failureThreshold: Int
    /// Passes in a row that make a failing probe passing again.
    public var successThreshold: Int
    /// What a failing probe makes a unit systemd calls active: degraded (the default) or failed.
    public var failureIs: Health
    /// Seconds after the unit became active before its first probe.
    public var startGrace: Double

    public init(kind: Kind, name: String? = nil, interval: Double = 10, timeout: Double = 2, failureThreshold: Int = 3, successThreshold: Int = 1,
                failureIs: Health = .degraded, startGrace: Double = 0) {
        self.kind = kind
        self.name = name
        self.interval = interval
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.failureIs = failureIs
        self.startGrace = startGrace
    }
}

/// What one probe found.
public struct ProbeResult: Sendable, Equatable {
    public var passed: Bool
    /// Why it failed, or what it saw: "status 503", "timeout after 2s", "connection refused".
    public var detail: String
    /// When the probe began, in seconds since the epoch: the next one begins an interval later.
    public var time: Double

    public init(passed: Bool, detail: String, time: Double) {
        self.passed = passed
        self.detail = detail
        self.time = time
    }
}
