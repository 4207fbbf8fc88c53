/// Where `medic run` serves HTTP (`/metrics`): a TCP address or a unix socket path.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Reads `127.0.0.1:9797`, `[::1]:9797`, `9797` (loopback), `/run/medic/http.sock` or
    /// `unix:/run/medic/http.sock`; nil with the reason when it is none of these.
    public static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        if text.hasPrefix("/") { return .success(.unix(path: text)) }
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { return .failure(Problem("a unix socket needs an absolute path, e.g. unix:/run/medic/http.sock")) }
            return .success(.unix(path: path))
        }
        let host: String, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(Problem("expected [ADDRESS]:PORT for IPv6, e.g. [::1]:9797"))
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        } else {
            host = "127.0.0.1"
            portText = Substring(text)
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            return .failure(Problem("expected HOST:PORT with a port from 1 to 65535, a bare port, or a unix socket path; got '\(text)'"))
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".:-".contains($0) }) else {
            return .failure(Problem("'\(host)' is not a host name or address"))
        }
        return .success(.tcp(host: host, port: port))
    }

    /// Why a text is not an address.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Whether only this machine can connect (a loopback address or a unix socket).
    public var isLocal: Bool {
        switch self {
        case .unix: return true
        case .tcp(let host, _): return host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }
}
