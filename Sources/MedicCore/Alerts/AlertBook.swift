/// Which alerts are active and what to send to Alertmanager, as a pure state machine: given the
/// conditions that hold at each evaluation, it returns the alerts to post. A new condition is sent at
/// once; an active one again every `resendEvery` seconds (with `endsAt` a few intervals ahead, so
/// that Alertmanager ends it by itself if Medic stops sending); one that no longer holds is sent once
/// with `endsAt` now.
public struct AlertBook: Sendable {
    private struct Entry: Sendable {
        var alert: Alert
        var lastSent: Double
    }

    public let resendEvery: Double
    private var active: [String: Entry] = [:]

    public init(resendEvery: Double) {
        self.resendEvery = resendEvery
    }

    /// How far ahead an active alert's `endsAt` lies: missing three re-sends ends it.
    public var validity: Double { resendEvery * 3 }

    /// The alerts active now.
    public var activeAlerts: [Alert] {
        active.values.map(\.alert).sorted { $0.fingerprint < $1.fingerprint }
    }

    /// Takes the conditions that hold now; returns the alerts to send (new, due again, or ended).
    public mutating func update(_ conditions: [AlertCondition], now: Double) -> [Alert] {
        var outgoing: [Alert] = []
        var holding: Set<String> = []
        for condition in conditions {
            let key = Alert.fingerprint(condition.labels)
            guard holding.insert(key).inserted else { continue }
            if var entry = active[key] {
                entry.alert.annotations = condition.annotations
                if now - entry.lastSent >= resendEvery {
                    entry.alert.endsAt = now + validity
                    entry.lastSent = now
                    outgoing.append(entry.alert)
                }
                active[key] = entry
            } else {
                let alert = Alert(labels: condition.labels, annotations: condition.annotations, startsAt: now, endsAt: now + validity)
                active[key] = Entry(alert: alert, lastSent: now)
                outgoing.append(alert)
            }
        }
        for (key, entry) in active where !holding.contains(key) {
            var ended = entry.alert
            ended.endsAt = now
            outgoing.append(ended)
            active[key] = nil
        }
        return outgoing.sorted { $0.fingerprint < $1.fingerprint }
    }
}
