import Hummingbird
import MedicConfig

/// Checks every request before it reaches a route: only GET and HEAD (nothing here changes
/// anything); the Host header must name this server when it listens on loopback (a page on another
/// site cannot reach it by rebinding a DNS name to 127.0.0.1); with a token, `Authorization: Bearer`
/// must carry it. Adds the security headers to every response: a Content-Security-Policy that
/// allows only the dashboard's own script and style (no inline script, no eval), no framing, no
/// sniffing, no referrer.
struct RequestGuard<Context: RequestContext>: RouterMiddleware {
    var address: ListenAddress
    var token: String?

    static var securityHeaders: HTTPFields {
        [
            .contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            HTTPFields.Element.Name("X-Content-Type-Options")!: "nosniff",
            HTTPFields.Element.Name("X-Frame-Options")!: "DENY",
            HTTPFields.Element.Name("Referrer-Policy")!: "no-referrer",
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.refusal(.methodNotAllowed, "read-only: only GET and HEAD are served", extra: [.allow: "GET, HEAD"])
        }
        if let problem = HostCheck.problem(host: request.head.authority, address: address) {
            return Self.refusal(.misdirectedRequest, problem)
        }
        if let token {
            let given = request.headers[.authorization] ?? ""
            guard given.hasPrefix("Bearer "), ConstantTime.equal(String(given.dropFirst(7)), token) else {
                return Self.refusal(.unauthorized, "a bearer token is required", extra: [.wwwAuthenticate: "Bearer realm=\"medic\""])
            }
        }
        var response = try await next(request, context)
        for field in Self.securityHeaders where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }

    static func refusal(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        headers.append(contentsOf: securityHeaders)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// Which Host headers a loopback server answers: its own address or `localhost`, with its port.
enum HostCheck {
    /// Why `host` is refused, or nil when it is fine.
    static func problem(host: String?, address: ListenAddress) -> String? {
        guard case .tcp(let bound, let port) = address, address.isLocal else { return nil }
        guard let host, !host.isEmpty else { return "a Host header is required" }
        let allowed = Set(["localhost", "127.0.0.1", "[::1]", bound.contains(":") ? "[\(bound)]" : bound].flatMap { [$0, "\($0):\(port)"] })
        return allowed.contains(host.lowercased()) ? nil : "this server answers only to \(bound.contains(":") ? "[\(bound)]" : bound):\(port) or localhost:\(port), not \(host)"
    }
}

/// Compares secrets without stopping at the first difference.
enum ConstantTime {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
