/// How Medic's figures leave the host: an HTTP endpoint, a node_exporter textfile, Alertmanager.
/// Everything is off unless configured.
public struct ExportSettings: Sendable, Equatable {
    /// `http.listen`: where `/metrics` is served; nil: no HTTP server.
    public var listen: ListenAddress?
    /// `http.token-file`: a file only its owner can read holding the bearer token every request must
    /// carry; required for the dashboard when `listen` is not loopback.
    public var tokenFile: String?
    /// `metrics.textfile`: a node_exporter textfile-collector file rewritten atomically; nil: none.
    public var textfile: String?
    /// `metrics.interval`: seconds between textfile writes.
    public var textfileInterval: Double = 15
    public var alerts = AlertSettings()

    public init(listen: ListenAddress? = nil, textfile: String? = nil, alerts: AlertSettings = AlertSettings()) {
        self.listen = listen
        self.textfile = textfile
        self.alerts = alerts
    }
}

/// `alerts:` in medic.yaml: where budget, correction and hold alerts are posted.
public struct AlertSettings: Sendable, Equatable {
    /// Alertmanager base URLs (`http://127.0.0.1:9093`); alerts go to each one's `/api/v2/alerts`.
    public var alertmanagers: [String] = []
    /// Seconds between re-sends of active alerts; below Alertmanager's `resolve_timeout` (5 m).
    public var resend: Double = 60
    /// The `host` label; nil: the machine's host name.
    public var host: String?

    public init(alertmanagers: [String] = [], resend: Double = 60, host: String? = nil) {
        self.alertmanagers = alertmanagers
        self.resend = resend
        self.host = host
    }
}
