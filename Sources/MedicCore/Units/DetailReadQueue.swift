/// Which units' details (their properties) to read next, and how many reads are out at once.
///
/// At start-up Medic knows every unit's states from the manager's list and reads the details after
/// READY, at most `limit` at a time so that the manager and the bus daemon keep serving others. Units
/// worth reading first (not simply running or stopped at listing, or changed since) go before the
/// rest, which keep the list's order. Units are named by object path, as the replies are.
public struct DetailReadQueue: Sendable {
    /// Reads out at once.
    public let limit: Int
    /// Failed reads of one unit after which it is given up (until it changes again).
    public let maximumAttempts: Int

    private var urgent: [String] = []
    private var urgentHead = 0
    private var rest: [String] = []
    private var restHead = 0
    /// Queued and not yet sent, with whether it is in `urgent`.
    private var waiting: [String: Bool] = [:]
    private var attempts: [String: Int] = [:]
    public private(set) var inFlight: Set<String> = []

    public init(limit: Int = 32, maximumAttempts: Int = 3) {
        precondition(limit > 0 && maximumAttempts > 0)
        self.limit = limit
        self.maximumAttempts = maximumAttempts
    }

    /// Nothing queued and nothing out.
    public var isEmpty: Bool { waiting.isEmpty && inFlight.isEmpty }

    /// Units queued or out.
    public var count: Int { waiting.count + inFlight.count }

    /// Queues a unit; `urgent` puts it before the others. A unit already queued is moved forward when
    /// it becomes urgent; one already out is left alone.
    public mutating func add(_ path: String, urgent isUrgent: Bool) {
        guard !inFlight.contains(path) else { return }
        switch waiting[path] {
        case true?: return
        case false? where !isUrgent: return
        default: break
        }
        waiting[path] = isUrgent
        if isUrgent { urgent.append(path) } else { rest.append(path) }
    }

    /// The units to read now (marked as out), urgent ones first; empty when `limit` are out.
    public mutating func next() -> [String] {
        var sending: [String] = []
        while inFlight.count < limit, let path = pop() {
            inFlight.insert(path)
            sending.append(path)
        }
        return sending
    }

    /// A read came back with the details: the unit is done.
    public mutating func finished(_ path: String) {
        inFlight.remove(path)
        attempts[path] = nil
    }

    /// A read failed: the unit goes to the back of the queue, or is given up (false) after
    /// `maximumAttempts` failures.
    public mutating func failed(_ path: String) -> Bool {
        inFlight.remove(path)
        let count = (attempts[path] ?? 0) + 1
        guard count < maximumAttempts else {
            attempts[path] = nil
            return false
        }
        attempts[path] = count
        add(path, urgent: false)
        return true
    }

    /// Forgets a unit (it is gone, or its details came another way).
    public mutating func remove(_ path: String) {
        waiting[path] = nil
        inFlight.remove(path)
        attempts[path] = nil
    }

    private mutating func pop() -> String? {
        while urgentHead < urgent.count {
            let path = urgent[urgentHead]
            urgentHead += 1
            if waiting[path] == true { waiting[path] = nil; return path }
        }
        while restHead < rest.count {
            let path = rest[restHead]
            restHead += 1
            if waiting[path] == false { waiting[path] = nil; return path }
        }
        // Both drained: drop what was skipped so the arrays do not grow across refills.
        urgent.removeAll(keepingCapacity: true)
        rest.removeAll(keepingCapacity: true)
        urgentHead = 0
        restHead = 0
        return nil
    }
}
