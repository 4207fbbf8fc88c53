import MedicCore

/// What `medic run` tells systemd in STATUS= ("watching 142 units, 2 failed, 1 correction running"):
/// kept from the watch events as they come.
actor SupervisorStatus {
    private var watched = 0
    /// Each watched unit's latest verdict (the failed count of STATUS=, the metrics).
    private(set) var units: [String: UnitHealth] = [:]
    /// When the last heartbeat completed.
    private(set) var heartbeat: Double?
    private var ready = false
    private(set) var reloadProblem: String?

    /// Notes an event; returns true for the first complete snapshot (the moment to send READY=1).
    func note(_ event: WatchEvent) -> Bool {
        switch event {
        case .ready(let units), .reconnected(let units):
            watched = units
            defer { ready = true }
            return !ready
        case .observed(let unit):
            units[unit.name] = unit
        case .removed(let name):
            units[name] = nil
        default:
            break
        }
        return false
    }

    func beat(at time: Double) {
        heartbeat = time
    }

    func reloadRefused(_ problem: String?) {
        reloadProblem = problem
    }

    /// How many units are watched now.
    var watching: Int { watched }

    func text(runningCorrections: Int, heldUnits: Int = 0) -> String {
        let failed = units.values.reduce(0) { $0 + ($1.verdict.health == .failed ? 1 : 0) }
        var text = "watching \(watched) units, \(failed) failed, \(runningCorrections) correction\(runningCorrections == 1 ? "" : "s") running"
        if heldUnits > 0 { text += "; mass-failure hold on \(heldUnits) units" }
        if let reloadProblem { text += "; last reload refused: \(reloadProblem)" }
        return text
    }
}
