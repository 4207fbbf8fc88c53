import Foundation
import MedicConfig
import MedicCore
import MedicEngine
import MedicReports
import MedicStore
import SystemdBus

/// What the dashboard and its API read, all of it from the running daemon: its live view of the
/// watched units and last SLO evaluation, its history store, its configuration and playbooks as
/// reloaded, and systemd for `explain`. Every document is the one the CLI prints with `--json`,
/// built by the same code (`MedicReports`). Nothing here changes anything.
public struct Dashboard: Sendable {
    public var figures: @Sendable () async -> DaemonFigures
    public var store: MedicStore
    public var configuration: LiveConfiguration
    public var playbooks: @Sendable () async -> [Playbook]
    public var address: BusAddress
    /// The daemon's live state file (`DaemonState`), read by `explain` as the CLI does.
    public var statePath: String
    public var journal: JournalLines
    public var host: String
    public var feed: LiveFeed

    public init(figures: @escaping @Sendable () async -> DaemonFigures, store: MedicStore, configuration: LiveConfiguration,
                playbooks: @escaping @Sendable () async -> [Playbook], address: BusAddress, statePath: String, journal: JournalLines, host: String, feed: LiveFeed) {
        self.figures = figures
        self.store = store
        self.configuration = configuration
        self.playbooks = playbooks
        self.address = address
        self.statePath = statePath
        self.journal = journal
        self.host = host
        self.feed = feed
    }

    /// `medic status --json` of the watched units as the daemon sees them now.
    public func status() async -> StatusDocument {
        let f = await figures()
        let units = f.units.values.compactMap(\.health).sorted(by: UnitHealth.worseFirst)
        let slos = f.units.compactMapValues(\.slo)
        let note = (try? await StatusDocument.reloadNote(store)) ?? nil
        let decisions = f.decisions ?? CorrectionDecisions(running: [], escalating: [], hold: nil, notCorrecting: [:], dependencyFailures: nil, limits: .init(CorrectionLimits()))
        let live = DaemonState(pid: getpid(), startedAt: f.startedAt, heartbeat: f.heartbeat ?? f.now, watching: f.watching, decisions: decisions)
        return StatusDocument(units: units, slos: slos, daemon: note, live: live, now: f.now)
    }

    /// `medic slo --json` as of the daemon's last evaluation.
    public func slo() async -> SLODocument {
        let f = await figures()
        let reports = f.units.compactMap { name, unit in unit.slo.map { UnitSLO(unit: name, report: $0) } }.sorted(by: UnitSLO.worseFirst)
        return SLODocument(reports, knownUntil: f.sloEvaluatedAt ?? f.now)
    }

    public func history(_ filter: CorrectionFilter) async throws -> HistoryDocument {
        HistoryDocument(try await store.corrections(filter))
    }

    /// One correction and its steps; nil when there is none with that id.
    public func correction(_ id: Int64) async throws -> (StoredCorrection, [StoredStep])? {
        guard let correction = try await store.correction(id: id) else { return nil }
        return (correction, try await store.steps(of: id))
    }

    public func stats(playbook: String?, byUnit: Bool) async throws -> StatsDocument {
        StatsDocument(try await store.learnedStatistics(), policy: configuration.current.learning, playbook: playbook, byUnit: byUnit)
    }

    public func explain(_ unit: UnitPattern) async throws -> UnitInquiry {
        try await UnitInquiry.make(unit: unit, address: address, configuration: configuration.current, playbooks: await playbooks(), store: store,
                                   statePath: statePath, journal: journal, now: Date().timeIntervalSince1970)
    }

    /// A watched unit's page; nil when the daemon does not watch it.
    public func unitPage(_ name: String) async throws -> UnitPage? {
        let f = await figures()
        guard let health = f.units[name]?.health else { return nil }
        let history = try await UnitBudgetHistory.read(name, query: SLOQuery(store: store, configuration: configuration.current), now: f.now, knownUntil: f.now)
        let explanation: [String]
        if let pattern = try? UnitPattern(name) {
            do {
                explanation = try await explain(pattern).lines
            } catch {
                explanation = ["cannot explain \(name) now: \(error)"]
            }
        } else {
            explanation = []
        }
        let corrections = try await store.corrections(CorrectionFilter(limit: 20), exactUnit: name)
        return UnitPage(unit: UnitReport(health), history: history, journal: journal.lines(of: name) ?? [], explanation: explanation, corrections: corrections)
    }
}
