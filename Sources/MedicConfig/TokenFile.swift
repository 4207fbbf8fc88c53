import Foundation

/// Reads the dashboard's bearer token: a file owned by the trusted owner (or root) that nobody else
/// can read or write, holding one token of at least 16 characters (surrounding whitespace ignored).
public enum TokenFile {
    public static let minimumLength = 16

    public static func read(_ path: String, trustedOwner: uid_t) throws(TrustedFile.Refusal) -> String {
        let text = try TrustedFile.read(path, trustedOwner: trustedOwner)
        var info = stat()
        guard stat(path, &info) == 0 else { throw TrustedFile.Refusal(message: "\(path): \(String(cString: strerror(errno)))") }
        if info.st_mode & (S_IRGRP | S_IROTH) != 0 { throw TrustedFile.Refusal(message: "\(path) is readable by others: a token file must be readable by its owner alone (chmod 600)") }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= minimumLength, !token.contains(where: { $0.isWhitespace }) else {
            throw TrustedFile.Refusal(message: "\(path) must hold one token of at least \(minimumLength) characters without spaces")
        }
        return token
    }
}
