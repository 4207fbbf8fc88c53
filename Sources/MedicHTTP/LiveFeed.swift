import MedicCore
import MedicEngine
import MedicReports

/// The dashboard's live feed: health transitions, budget changes and correction activity, handed to
/// every open event stream (Server-Sent Events). Publishing never waits on a slow reader: each
/// reader keeps the newest 256 messages; readers are bounded in number.
public actor LiveFeed {
    /// One Server-Sent Event: its name and its JSON data.
    public struct Message: Sendable, Equatable {
        public var event: String
        public var data: String
        public var id: Int

        /// The event as it goes on the wire (a keep-alive is a comment line).
        public var wire: String { event.isEmpty ? ":\n\n" : "id: \(id)\nevent: \(event)\ndata: \(data)\n\n" }
    }

    /// At most this many streams at once; more are refused (503) rather than piling up.
    public static let maximumReaders = 32

    private var readers: [Int: AsyncStream<Message>.Continuation] = [:]
    private var nextReader = 0
    private var nextMessage = 0
    private var budgets: [String: BudgetChange] = [:]
    private var closed = false

    public init() {}

    /// A stream of the messages published from now on; nil when too many are open or the feed closed.
    public func subscribe() -> (id: Int, messages: AsyncStream<Message>)? {
        guard !closed, readers.count < Self.maximumReaders else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .bufferingNewest(256))
        nextReader += 1
        let id = nextReader
        readers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return (id, stream)
    }

    public func unsubscribe(_ id: Int) {
        readers.removeValue(forKey: id)?.finish()
    }

    /// Ends every stream (a shutdown must not wait for browsers to hang up).
    public func close() {
        closed = true
        for reader in readers.values { reader.finish() }
        readers.removeAll()
    }

    public func publish(_ event: String, _ data: String) {
        guard !readers.isEmpty else { return }
        nextMessage += 1
        let message = Message(event: event, data: data, id: nextMessage)
        for reader in readers.values { reader.yield(message) }
    }

    /// A comment line to every reader, so that a reader that went away without a word is noticed
    /// (the write fails) and its place freed.
    public func keepalive() {
        for reader in readers.values { reader.yield(Message(event: "", data: "", id: 0)) }
    }

    /// A watch event: transitions are published, the rest is not the board's business.
    public func watched(_ event: WatchEvent) {
        guard case .transition(let transition) = event, let data = JSONDocument.text(TransitionReport(transition), pretty: false) else { return }
        publish("transition", data)
    }

    /// After an SLO evaluation: the units whose budget state, alert level or whole percent left changed.
    public func evaluated(_ reports: [String: SLOReport]) {
        for (unit, report) in reports.sorted(by: { $0.key < $1.key }) {
            let change = BudgetChange(unit: unit, state: report.state.rawValue, alertLevel: report.alertLevel, remainingPercent: report.remainingPercent.rounded())
            guard budgets[unit] != change else { continue }
            budgets[unit] = change
            if let data = JSONDocument.text(change, pretty: false) { publish("budget", data) }
        }
    }

    public func correction(_ activity: CorrectionActivity) {
        let body = CorrectionEvent(id: activity.id, unit: activity.unit, playbook: activity.playbook, event: activity.event.rawValue, detail: activity.detail)
        if let data = JSONDocument.text(body, pretty: false) { publish("correction", data) }
    }

    struct BudgetChange: Encodable, Equatable {
        var unit: String
        var state: String
        var alertLevel: String
        var remainingPercent: Double
    }

    struct CorrectionEvent: Encodable {
        var id: Int64
        var unit: String
        var playbook: String
        var event: String
        var detail: String?
    }
}
