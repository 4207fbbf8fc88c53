import Foundation

/// Reads a file Medic takes orders from (medic.yaml, playbooks) only when it is safe to trust, as
/// sudo reads sudoers: opened without following a link and without blocking (a FIFO cannot hang
/// Medic), the opened descriptor checked to be a regular file of at most 1 MiB, and, when an owner
/// is trusted, the file and every directory above it (on the path given and on the real path)
/// owned by that uid or root and writable by nobody else.
public enum TrustedFile {
    /// The most a configuration or playbook file may hold.
    public static let maximumSize = 1 << 20

    /// Why a file was not read: one line, naming the reason.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The file's text. `trustedOwner` is the uid whose files are trusted besides root's (root's 0
    /// for the system service, the user's own uid otherwise); nil skips the ownership checks.
    public static func read(_ path: String, trustedOwner: uid_t?) throws(Refusal) -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw Refusal(message: "refused: a symbolic link (point Medic at the file itself)") }
            if code == ENOENT { throw Refusal(message: "no such file") }
            throw Refusal(message: "cannot open: \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Refusal(message: "cannot stat: \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Refusal(message: "refused: \(kind(info.st_mode)), not a regular file")
        }
        guard info.st_size <= maximumSize else { throw Refusal(message: "refused: larger than 1 MiB (\(info.st_size) bytes)") }
        if let owner = trustedOwner {
            if let refusal = unsafe(info, owner: owner, isDirectory: false) { throw Refusal(message: "refused: the file \(refusal)") }
            try checkDirectories(above: path, opened: info, owner: owner)
        }
        let data = try readAll(fd)
        guard !data.isEmpty else { return "" }
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = firstInvalidUTF8(in: data)
            throw Refusal(message: "not UTF-8 text (invalid byte at offset \(offset))")
        }
        return text
    }

    /// Every directory above the file, on the path as given and on the real path (a directory link
    /// into someone else's directory must not pass), must be trustworthy; and the real path must
    /// still name the file that was opened (no link swapped in between).
    private static func checkDirectories(above path: String, opened: stat, owner: uid_t) throws(Refusal) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard let resolved = realpath(absolute, nil) else {
            throw Refusal(message: "cannot resolve its real path: \(String(cString: strerror(errno)))")
        }
        let real = String(cString: resolved)
        free(resolved)
        var now = stat()
        guard stat(real, &now) == 0, now.st_dev == opened.st_dev, now.st_ino == opened.st_ino else {
            throw Refusal(message: "refused: the file changed while it was being checked")
        }
        var checked: Set<String> = []
        for start in [real, absolute] {
            var directory = (start as NSString).deletingLastPathComponent
            while !directory.isEmpty, checked.insert(directory).inserted {
                var dirInfo = stat()
                guard stat(directory, &dirInfo) == 0 else {
                    throw Refusal(message: "cannot check its directory \(directory): \(String(cString: strerror(errno)))")
                }
                if let refusal = unsafe(dirInfo, owner: owner, isDirectory: true) {
                    throw Refusal(message: "refused: its directory \(directory) \(refusal)")
                }
                let parent = (directory as NSString).deletingLastPathComponent
                if parent == directory { break }
                directory = parent
            }
        }
    }

    /// Why a file or directory cannot be trusted, or nil. A root-owned sticky directory (/tmp) is
    /// safe above ours: nobody else can rename or remove an entry they do not own in it.
    static func unsafe(_ info: stat, owner: uid_t, isDirectory: Bool) -> String? {
        if info.st_uid != owner && info.st_uid != 0 { return "is owned by uid \(info.st_uid), not \(owner == 0 ? "root" : "\(owner) or root")" }
        if isDirectory, info.st_uid == 0, info.st_mode & S_ISVTX != 0 { return nil }
        if info.st_mode & S_IWOTH != 0 { return "is writable by everyone (chmod o-w)" }
        if info.st_mode & S_IWGRP != 0 { return "is writable by its group (chmod g-w)" }
        return nil
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// Reads to the end, but never more than the cap (a file may grow after fstat).
    private static func readAll(_ fd: Int32) throws(Refusal) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                data += buffer[0..<n]
                if data.count > maximumSize { throw Refusal(message: "refused: larger than 1 MiB") }
                continue
            }
            if n == 0 { return data }
            if errno == EINTR { continue }
            throw Refusal(message: "cannot read: \(String(cString: strerror(errno)))")
        }
    }

    /// Where the first byte that is not part of valid UTF-8 is.
    static func firstInvalidUTF8(in data: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}
