import Foundation
import MedicCore

extension ConfigParser {
    /// `http:`, `metrics:` and `alerts:`.
    static func parseExport(_ fields: [String: YAMLCursor], _ problems: ProblemCollector) -> ExportSettings {
        var settings = ExportSettings()
        if let http = fields["http"], let f = http.mapping(allowed: ["listen", "token-file"], problems: problems) {
            settings.listen = problems.read(f["listen"]) { c throws(ConfigError) in try listenAddress(c) }
            settings.tokenFile = problems.read(f["token-file"]) { c throws(ConfigError) in
                let path = try c.string()
                guard path.hasPrefix("/") else { throw c.error("must be an absolute path to a file only its owner can read (chmod 600)") }
                return path
            }
        }
        if let metrics = fields["metrics"], let f = metrics.mapping(allowed: ["textfile", "interval"], problems: problems) {
            settings.textfile = problems.read(f["textfile"]) { c throws(ConfigError) in
                let path = try c.string()
                guard path.hasPrefix("/") else { throw c.error("must be an absolute path (node_exporter's --collector.textfile.directory and a name ending in .prom)") }
                guard path.hasSuffix(".prom") else { throw c.error("must end in .prom: node_exporter's textfile collector reads only such files") }
                return path
            }
            if let v = problems.read(f["interval"], { c throws(ConfigError) in try c.duration() }) {
                if v < 1, let c = f["interval"] { problems.add(c.error("must be at least 1s")) } else { settings.textfileInterval = v }
            }
        }
        if let alerts = fields["alerts"], let f = alerts.mapping(allowed: ["alertmanager", "resend", "host"], problems: problems) {
            if let urls = problems.read(f["alertmanager"], { c throws(ConfigError) in try alertmanagerURLs(c) }) { settings.alerts.alertmanagers = urls }
            if let c = f["resend"], let v = problems.read(c, { c throws(ConfigError) in try c.duration() }) {
                if v < 1 || v >= 300 {
                    problems.add(c.error("must be from 1s to below 5m (Alertmanager ends an alert not re-sent within its resolve_timeout, 5m by default)"))
                } else {
                    settings.alerts.resend = v
                }
            }
            settings.alerts.host = problems.read(f["host"]) { c throws(ConfigError) in try c.string() }
        }
        return settings
    }

    private static func listenAddress(_ c: YAMLCursor) throws(ConfigError) -> ListenAddress {
        let text = try c.string()
        switch ListenAddress.parse(text) {
        case .success(let address): return address
        case .failure(let problem): throw c.error(problem.description)
        }
    }

    private static func alertmanagerURLs(_ c: YAMLCursor) throws(ConfigError) -> [String] {
        let entries: [YAMLCursor]
        if (try? c.string()) != nil { entries = [c] } else { entries = try c.sequence() }
        guard !entries.isEmpty else { throw c.error("must name at least one Alertmanager URL") }
        var urls: [String] = []
        for entry in entries {
            let text = try entry.string()
            guard let url = URLComponents(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host?.isEmpty == false else {
                throw entry.error("expected an http:// or https:// URL of an Alertmanager, e.g. http://127.0.0.1:9093; got '\(text)'")
            }
            let base = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard !urls.contains(base) else { throw entry.error("\(base) is listed twice") }
            urls.append(base)
        }
        return urls
    }
}
