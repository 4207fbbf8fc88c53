import CSystemd
import Foundation

/// Writes entries with fields of their own to the journal (sd_journal_sendv), so that operators can
/// select them (`journalctl MEDIC_UNIT=web.service`).
public enum JournalWriter {
    /// Sends one entry; `fields` are NAME=value pairs (names in upper case, MESSAGE among them).
    /// Returns false when the journal cannot be reached.
    @discardableResult
    public static func send(_ fields: [(name: String, value: String)]) -> Bool {
        // Each field in a buffer of its own that outlives the call (values may hold newlines and NULs).
        let buffers = fields.map { field -> UnsafeMutableRawBufferPointer in
            let bytes = Array("\(field.name)=\(field.value)".utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            buffer.copyBytes(from: bytes)
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        var vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        return sd_journal_sendv(&vectors, Int32(vectors.count)) == 0
    }

    /// Whether standard error is connected to the journal (systemd sets JOURNAL_STREAM to its device
    /// and inode), i.e. Medic runs as a unit logging to the journal.
    public static var standardErrorIsJournal: Bool {
        guard let stream = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
