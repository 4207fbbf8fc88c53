import Foundation
import MedicCore

extension ConfigParser {
    static let probeFields: Set = ["name", "unit", "http", "tcp", "unix", "exec", "interval", "timeout", "failure-threshold", "success-threshold", "probe-failure-is", "start-grace"]
    static let probeKinds = ["http", "tcp", "unix", "exec"]

    /// `probes:`: a list of active health checks, each naming its units and exactly one kind.
    static func parseProbes(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> [ProbeRule] {
        guard let items = problems.attempt({ () throws(ConfigError) in try cursor.sequence() }) else { return [] }
        return items.compactMap { parseProbe($0, problems) }
    }

    private static func parseProbe(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> ProbeRule? {
        guard let fields = cursor.mapping(allowed: probeFields, problems: problems) else { return nil }
        let before = problems.problems.count
        var units: [UnitPattern] = []
        if let unit = fields["unit"] {
            units = problems.patterns(unit) ?? []
            if units.isEmpty, problems.problems.count == before { problems.add(unit.error("must name at least one unit or pattern")) }
        } else {
            problems.add(cursor.error("a probe names its units in `unit`"))
        }
        let given = probeKinds.filter { fields[$0] != nil }
        var kind: ProbeSpec.Kind?
        if given.count != 1 {
            let at = given.count > 1 ? fields[given[1]]! : cursor
            problems.add(at.error("a probe has exactly one of \(probeKinds.joined(separator: ", ")); found \(given.isEmpty ? "none" : given.joined(separator: " and "))"))
        } else if let field = fields[given[0]] {
            switch given[0] {
            case "http": kind = parseHTTP(field, problems)
            case "tcp": kind = problems.attempt { () throws(ConfigError) in try parseTCP(field) }
            case "unix": kind = problems.attempt { () throws(ConfigError) in try parseUnix(field) }
            default: kind = parseExec(field, problems)
            }
        }
        var spec = ProbeSpec(kind: kind ?? .tcp(host: "", port: 0))
        spec.name = problems.read(fields["name"]) { c throws(ConfigError) in try c.identifier() }
        if let v = problems.read(fields["interval"], { c throws(ConfigError) in try c.duration() }) { spec.interval = v }
        if let v = problems.read(fields["timeout"], { c throws(ConfigError) in try c.duration() }) { spec.timeout = v }
        if let v = problems.read(fields["failure-threshold"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { spec.failureThreshold = v }
        if let v = problems.read(fields["success-threshold"], { c throws(ConfigError) in try c.integer(atLeast: 1) }) { spec.successThreshold = v }
        if let v = problems.read(fields["start-grace"], { c throws(ConfigError) in
            if (try? c.string()) == "0" { return 0.0 }
            return try c.duration()
        }) { spec.startGrace = v }
        if let v = problems.read(fields["probe-failure-is"], { c throws(ConfigError) in
            switch try c.string() {
            case "degraded": return Health.degraded
            case "failed": return Health.failed
            default: throw c.error("expected degraded or failed")
            }
        }) { spec.failureIs = v }
        if spec.interval < 1, let c = fields["interval"] { problems.add(c.error("must be at least 1s: a probe is a check, not a load test")) }
        if spec.timeout > spec.interval {
            problems.add((fields["timeout"] ?? cursor).error("must not be longer than the interval (\(FailureDescription.duration(spec.interval)))"))
        }
        guard kind != nil, problems.problems.count == before else { return nil }
        let line = (cursor.node.mark?.line).map { ":\($0)" } ?? ""
        return ProbeRule(units: units, spec: spec, source: "\(cursor.file)\(line)")
    }

    private static func parseHTTP(_ cursor: YAMLCursor, _ problems: ProblemCollector) -> ProbeSpec.Kind? {
        let fields: [String: YAMLCursor]
        if case .scalar = cursor.node {
            fields = ["url": cursor]
        } else {
            guard let mapping = cursor.mapping(allowed: ["url", "expect-status", "body-contains", "headers", "insecure"], problems: problems) else { return nil }
            fields = mapping
        }
        let before = problems.problems.count
        guard let urlCursor = fields["url"] else {
            problems.add(cursor.error("an http probe needs a url"))
            return nil
        }
        let url = problems.attempt { () throws(ConfigError) in try probeURL(urlCursor) }
        var statuses: [ClosedRange<Int>] = [200...399]
        if let c = fields["expect-status"] {
            let items: [YAMLCursor]
            if case .scalar = c.node { items = [c] } else { items = problems.attempt { () throws(ConfigError) in try c.sequence() } ?? [] }
            statuses = items.compactMap { item in problems.attempt { () throws(ConfigError) in try statusRange(item) } }
            if statuses.isEmpty, problems.problems.count == before { problems.add(c.error("must name at least one status or range (200-299)")) }
        }
        let body = problems.read(fields["body-contains"]) { c throws(ConfigError) in
            let text = try c.string()
            guard !text.isEmpty else { throw c.error("must not be empty") }
            return text
        }
        var headers: [String: String] = [:]
        if let c = fields["headers"] {
            if case .mapping(let mapping) = c.node {
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? ""
                    let valueCursor = YAMLCursor(node: value, path: "\(c.path).\(name)", file: c.file)
                    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                        problems.add(valueCursor.error("a header name is letters, digits, '-' and '_'"))
                        continue
                    }
                    guard let text = problems.attempt({ () throws(ConfigError) in try valueCursor.string() }) else { continue }
                    guard !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
                        problems.add(valueCursor.error("a header value is one line"))
                        continue
                    }
                    headers[name] = text
                }
            } else {
                problems.add(c.error("expected a mapping of header names to values"))
            }
        }
        let insecure = problems.read(fields["insecure"]) { c throws(ConfigError) in try c.bool() } ?? false
        guard let url, problems.problems.count == before else { return nil }
        return .http(url: url, expectStatus: statuses, bodyContains: body, headers: headers, insecure: insecure)
    }

    /// An http or https URL with a host; nothing else is ever fetched.
    private static func probeURL(_ c: YAMLCursor) throws(ConfigError) -> String {
        let text = try c.string()
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw c.error("'\(text)' is not a URL") }
        guard scheme == "http" || scheme == "https" else { throw c.error("only http and https URLs are probed, not \(scheme)") }
        guard let host = url.host, !host.isEmpty else { throw c.error("'\(text)' names no host") }
        guard url.user == nil, url.password == nil else { throw c.error("credentials do not belong in the URL; send them as a header") }
        return text
    }

    /// 200, or a range such as 200-299, within 100-599.
    private static func statusRange(_ c: YAMLCursor) throws(ConfigError) -> ClosedRange<Int> {
        let text = try c.string()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil, low <= high, low >= 100, high <= 599 else {
            throw c.error("expected an HTTP status (200) or a range (200-299) within 100-599, got '\(text)'")
        }
        return low...high
    }

    /// `host:port` or `{host, port}`.
    private static func parseTCP(_ c: YAMLCursor) throws(ConfigError) -> ProbeSpec.Kind {
        var host: String
        var portText: String
        if case .scalar = c.node {
            let text = try c.string()
            guard let colon = text.lastIndex(of: ":") else { throw c.error("expected host:port, got '\(text)'") }
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        } else {
            let fields = try c.mapping(allowed: ["host", "port"])
            guard let h = fields["host"], let p = fields["port"] else { throw c.error("a tcp probe needs host and port") }
            host = try h.string()
            portText = try p.string()
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw c.error("'\(host)' is not a host name or address") }
        guard let port = Int(portText), (1...65535).contains(port) else { throw c.error("expected a port from 1 to 65535, got '\(portText)'") }
        return .tcp(host: host, port: port)
    }

    /// An absolute socket path, `path` or `{path}`.
    private static func parseUnix(_ c: YAMLCursor) throws(ConfigError) -> ProbeSpec.Kind {
        let at: YAMLCursor
        if case .scalar = c.node { at = c } else {
            guard let p = try c.mapping(allowed: ["path"])["path"] else { throw c.error("a unix probe needs a path") }
            at = p
        }
        let path = try at.string()
        guard path.hasPrefix("/") else { throw at.error("expected an absolute socket path, got '\(path)'") }
        guard path.utf8.count < 108 else { throw at.error("a unix socket path is at most 107 bytes") }
        return .unix(path: path)
    }

    /// `{argv: [...], user: name}` or the argv list itself; never a shell line.
    private static func parseExec(_ c: YAMLCursor, _ problems: ProblemCollector) -> ProbeSpec.Kind? {
        var argvCursor = c
        var user: String?
        if case .mapping = c.node {
            guard let fields = c.mapping(allowed: ["argv", "user"], problems: problems) else { return nil }
            guard let a = fields["argv"] else {
                problems.add(c.error("an exec probe needs argv"))
                return nil
            }
            argvCursor = a
            user = problems.read(fields["user"]) { u throws(ConfigError) in
                let name = try u.string()
                guard !name.isEmpty, !name.hasPrefix("-"), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                    throw u.error("'\(name)' is not a user name")
                }
                return name
            }
        }
        return problems.attempt { () throws(ConfigError) in
            guard case .sequence = argvCursor.node else { throw argvCursor.error("expected an argument list such as [/usr/bin/check, --quiet]; a probe never runs a shell line") }
            let argv = try argvCursor.sequence().map { a throws(ConfigError) in try a.string() }
            guard let program = argv.first, program.hasPrefix("/") else { throw argvCursor.error("argv[0] must be an absolute path") }
            return .exec(argv: argv, user: user)
        }
    }
}
