import Logging
import SystemdJournal

/// A swift-log backend writing to the journal with fields of Medic's own: `unit.name` becomes
/// MEDIC_UNIT, `medic.playbook` MEDIC_PLAYBOOK, `medic.correction-id` MEDIC_CORRECTION_ID, and every
/// other metadata key MEDIC_ plus the key in upper case (`slo.state` -> MEDIC_SLO_STATE), so that
/// `journalctl -u medic MEDIC_UNIT=web.service` selects what Medic said about that unit.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        JournalWriter.send(Self.fields(level: event.level, message: "\(event.message)", metadata: merged) + [
            ("CODE_FILE", event.file), ("CODE_LINE", "\(event.line)"), ("CODE_FUNC", event.function),
        ])
    }

    /// The journal fields of one entry, in a stable order.
    public static func fields(level: Logger.Level, message: String, metadata: Logger.Metadata) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("MESSAGE", message), ("PRIORITY", "\(priority(level))"), ("SYSLOG_IDENTIFIER", "medic")]
        for key in metadata.keys.sorted() {
            fields.append((fieldName(key), "\(metadata[key]!)"))
        }
        return fields
    }

    /// syslog priorities: critical 2, error 3, warning 4, notice 5, info 6, debug and trace 7.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: return 2
        case .error: return 3
        case .warning: return 4
        case .notice: return 5
        case .info: return 6
        case .debug, .trace: return 7
        }
    }

    /// A journal field name for a metadata key: upper case letters, digits and underscores, MEDIC_ first.
    static func fieldName(_ key: String) -> String {
        switch key {
        case "unit.name": return "MEDIC_UNIT"
        default:
            let bare = key.hasPrefix("medic.") ? String(key.dropFirst(6)) : key
            let cleaned = bare.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? String($0) : "_" }.joined()
            return "MEDIC_" + cleaned
        }
    }
}
