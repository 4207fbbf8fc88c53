import Logging
import MedicCore
import MedicStore
import SystemdBus

/// Starts corrections from `medic run`: every observation of a unit and every budget change is put
/// to the `CorrectionPlanner`; chosen plans run in the background through the `CorrectionExecutor`,
/// each recorded in the store (intent first). Guard state (cooldown, backoff, quarantine) is rebuilt
/// from the recorded history when Medic starts, so a restart does not reset the limits.
public actor CorrectionService {
    private var planner: CorrectionPlanner
    private let store: MedicStore
    private let address: BusAddress
    private let clock: WallClock
    private let logger: Logger
    /// Where `match.journal` expressions look.
    public var journal = JournalLines()
    /// Journal lines read per unit, with the state change they were read after and when: a unit that
    /// has not changed is read again at most every 10 s, not on every event and heartbeat.
    private var journalCache: [String: (stateChange: UInt64?, readAt: Double, lines: [String]?)] = [:]
    /// SLO figures, for playbooks whose verification also asks for a burn rate back under a threshold.
    public var slo: SLOQuery?

    public func useSLO(_ query: SLOQuery) {
        slo = query
    }

    private var runner: JobRunner?
    private var guards: [String: [String: GuardState]] = [:]
    private var running: Set<String> = []
    private var recentStarts: [Double] = []
    private var reports: [String: SLOReport] = [:]
    private var budgets: [String: BudgetState] = [:]
    /// What was learned from the recorded corrections; updated as each one ends.
    private var statistics = LearnedStatistics()
    private var failing: Set<String> = []
    private var watched: Set<String> = []
    private var latest: [String: UnitHealth] = [:]
    /// Corrections a crash left open, by unit: resolved when the unit is first seen again.
    private var interrupted: [String: StoredCorrection] = [:]
    /// Corrections running in the background, by a serial number; each removes itself when done.
    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextTask = 0

    public init(planner: CorrectionPlanner, store: MedicStore, address: BusAddress, clock: WallClock = .system, logger: Logger) {
        self.planner = planner
        self.store = store
        self.address = address
        self.clock = clock
        self.logger = logger
    }

    /// Uses a new, already validated playbook set and settings from now on (running corrections
    /// finish with theirs).
    public func reconfigure(playbooks: [Playbook], protection: ProtectionPolicy, limits: CorrectionLimits, learning: LearningPolicy) {
        planner.playbooks = playbooks
        planner.protection = protection
        planner.limits = limits
        planner.learning = learning
    }

    /// How many playbooks are in use.
    public var playbookCount: Int { planner.playbooks.count }

    /// Corrections running now.
    public var runningCount: Int { running.count }

    /// Rebuilds guard state from the recorded corrections, and notes those a crash left open.
    public func start() async throws {
        for correction in try await store.corrections(openOnly: true) {
            interrupted[correction.unit] = correction
            running.insert(correction.unit)
        }
        let history = try await store.pastCorrections()
        guards = GuardState.rebuild(from: history, playbooks: planner.playbooks)
        statistics = LearnedStatistics(history: history, resets: try await store.statisticsResets())
    }

    /// Applies statistics resets made with `medic stats --reset` since they were last read.
    private func refreshResets() async {
        guard let resets = try? await store.statisticsResets() else { return }
        for (playbook, time) in resets where statistics.resets[playbook] != time {
            statistics.reset(playbook: playbook, at: time)
            logger.notice("statistics of playbook \(playbook) were reset", metadata: ["medic.playbook": "\(playbook)"])
        }
    }

    /// The figures of the latest SLO evaluation; units whose budget is not ok are considered.
    public func budgetsChanged(_ reports: [String: SLOReport]) async {
        self.reports = reports
        budgets = reports.mapValues(\.state)
        for (name, state) in budgets where state > .ok {
            if let unit = latest[name] { await consider(unit) }
        }
    }

    /// Puts every unit that still needs help to the planner again: cooldowns and backoffs end with
    /// time alone, without a new event from systemd. Called on the supervisor's heartbeat.
    public func reconsider() async {
        await refreshResets()
        for unit in latest.values.sorted(by: { $0.name < $1.name })
        where unit.verdict.health == .failed || unit.verdict.health == .degraded || (budgets[unit.name] ?? .ok) > .ok {
            await consider(unit)
        }
    }

    /// Takes in one observation of a unit.
    public func observe(_ unit: UnitHealth) async {
        watched.insert(unit.name)
        latest[unit.name] = unit
        if let open = interrupted.removeValue(forKey: unit.name) {
            track { await self.resume(open, unit: unit) }
            return
        }
        if unit.verdict.health == .failed { failing.insert(unit.name) } else { failing.remove(unit.name) }
        let now = clock.now()
        if unit.verdict.health == .healthy, let since = unit.snapshot.stateChangeMicros.map({ Double($0) / 1_000_000 }) {
            for (name, var state) in guards[unit.name] ?? [:] {
                guard let playbook = planner.playbooks.first(where: { $0.name == name }) else { continue }
                state.observeHealthy(since: since, now: now, guard: playbook.guardrails)
                guards[unit.name]?[name] = state
            }
        }
        guard unit.verdict.health == .failed || unit.verdict.health == .degraded || (budgets[unit.name] ?? .ok) > .ok else { return }
        await consider(unit)
    }

    /// Waits for running corrections to finish (verification or rollback), at most `timeout` seconds.
    public func drain(timeout: Double) async {
        let pending = Array(tasks.values)
        if !running.isEmpty {
            logger.notice("stopping: waiting up to \(Int(timeout)) s for \(running.count) running correction(s) to finish")
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for task in pending { await task.value } }
            group.addTask { try? await Task.sleep(for: .seconds(timeout)) }
            await group.next()
            group.cancelAll()
        }
        runner?.close()
    }

    /// Runs `work` in the background and forgets it once it is done.
    private func track(_ work: @escaping @Sendable () async -> Void) {
        let number = nextTask
        nextTask += 1
        tasks[number] = Task {
            await work()
            self.finished(number)
        }
    }

    private func finished(_ number: Int) {
        tasks[number] = nil
    }

    /// The unit's recent journal lines (for `match.journal`, the failure signature and the history),
    /// not re-read on every event, and never read for units Medic would not act on anyway.
    private func journalLines(for unit: UnitHealth) -> [String]? {
        guard !running.contains(unit.name), !planner.protection.isProtected(unit.name) else { return nil }
        let stateChange = unit.snapshot.stateChangeMicros
        let now = clock.now()
        if let cached = journalCache[unit.name], cached.stateChange == stateChange, now - cached.readAt < 10 { return cached.lines }
        let lines = journal.lines(of: unit.name)
        journalCache[unit.name] = (stateChange, now, lines)
        return lines
    }

    private func consider(_ unit: UnitHealth) async {
        // Units no playbook could match cost nothing more (their journal is not read).
        guard planner.playbooks.contains(where: { $0.match.matchesIgnoringJournal(unit.snapshot, health: unit.verdict.health) }) else { return }
        let now = clock.now()
        recentStarts.removeAll { now - $0 >= 60 }
        let lines = journalLines(for: unit)
        let situation = CorrectionPlanner.Situation(
            unit: unit, budget: budgets[unit.name], journal: lines, statistics: statistics, guards: guards[unit.name] ?? [:],
            correctionRunning: running.contains(unit.name), runningCorrections: running.count, recentStarts: recentStarts,
            watchedUnits: watched.count, failingUnits: failing.count, now: now
        )
        switch planner.decide(situation) {
        case .act(let plan):
            launch(plan, unit: unit, journal: lines, escalation: false)
        case .escalate(let name, let playbook, let reason):
            let notify = playbook.steps.filter { if case .notify = $0 { return true } else { return false } }
            var escalation = playbook
            escalation.steps = notify
            escalation.rollback = .none
            let plan = CorrectionPlan(unit: name, playbook: escalation, steps: notify.map(PlannedStep.init), alternatives: [], dryRun: planner.dryRun,
                                      reason: "escalation: \(reason)", signature: situation.failureSignature)
            var state = guards[name]?[playbook.name] ?? GuardState()
            state.markEscalated()
            guards[name, default: [:]][playbook.name] = state
            launch(plan, unit: unit, journal: lines, escalation: true)
        case .wait, .none:
            return
        }
    }

    private func launch(_ plan: CorrectionPlan, unit: UnitHealth, journal: [String]?, escalation: Bool) {
        running.insert(plan.unit)
        recentStarts.append(clock.now())
        logger.notice("\(escalation ? "escalating" : "correcting") \(plan.unit) with \(plan.playbook.name)\(plan.dryRun ? " (dry-run)" : ""): \(plan.reason)",
                      metadata: ["unit.name": "\(plan.unit)", "medic.playbook": "\(plan.playbook.name)"])
        let intent = CorrectionIntent(
            unit: plan.unit, playbook: plan.playbook.name, reason: plan.reason, alternatives: plan.alternatives, dryRun: plan.dryRun,
            startedAt: clock.now(), signature: plan.signature?.key ?? "", trigger: TriggerDescription.describe(plan.playbook.trigger, manual: false, report: reports[plan.unit]),
            rank: plan.rank, journal: JournalExcerpt.cap(journal ?? [])
        )
        track { await self.execute(plan, intent: intent, unit: unit, escalation: escalation) }
    }

    private func execute(_ plan: CorrectionPlan, intent: CorrectionIntent, unit: UnitHealth, escalation: Bool) async {
        defer { running.remove(plan.unit) }
        do {
            let actions = try await actionsRunner()
            let store = self.store
            let id = try await store.openCorrection(intent)
            let verifier = HealthVerifier(address: address, clock: clock, logger: logger)
            let slo = self.slo
            let clock = self.clock
            let burnRateBelow = plan.playbook.verify.burnRateBelow
            var executor = CorrectionExecutor(actions: BusUnitActions(runner: actions), clock: clock) { name, healthyFor, within in
                if escalation { return (false, "escalated: no verification") }
                let deadline = clock.now() + within
                let (healthy, detail) = await verifier.verify(unit: name, healthyFor: healthyFor, within: within)
                guard healthy, let threshold = burnRateBelow else { return (healthy, detail) }
                guard let slo else { return (false, "\(detail), but no SLO figures to check the burn rate with") }
                return await BurnRateCheck.wait(unit: name, below: threshold, until: deadline, query: slo, clock: clock, healthy: detail)
            }
            let logger = self.logger
            executor.onStep = { step in
                let stored = StoredStep(step)
                do { try await store.recordStep(stored, of: id) } catch { logger.error("cannot record a step of correction \(id): \(error)") }
            }
            let report = await executor.execute(plan, unit: unit.snapshot)
            let state = escalation ? "escalated" : report.outcome.rawValue
            let recovery = report.recoverySeconds(healthyFor: plan.playbook.verify.healthyFor)
            try await store.closeCorrection(id, state: state, verification: report.verification, at: report.ended, recoverySeconds: recovery)
            if !escalation {
                statistics.record(PastCorrection(unit: plan.unit, playbook: plan.playbook.name, signature: intent.signature, outcome: CorrectionOutcome(rawValue: state) ?? .failed,
                                                 startedAt: intent.startedAt, endedAt: report.ended, recoverySeconds: recovery))
            }
            if !escalation, let original = planner.playbooks.first(where: { $0.name == plan.playbook.name }) {
                var guardState = guards[plan.unit]?[original.name] ?? GuardState()
                guardState.record(start: report.started, end: report.ended, succeeded: report.outcome == .recovered || report.outcome == .dryRun, guard: original.guardrails)
                guards[plan.unit, default: [:]][original.name] = guardState
            }
            logger.notice("correction #\(id) of \(plan.unit) with \(plan.playbook.name): \(state)",
                          metadata: ["unit.name": "\(plan.unit)", "medic.playbook": "\(plan.playbook.name)", "medic.correction-id": "\(id)"])
        } catch {
            logger.error("correction of \(plan.unit) with \(plan.playbook.name) could not run: \(error)")
        }
    }

    /// Finishes a correction Medic was killed in the middle of: if the unit is healthy, verification is
    /// completed; otherwise (or if it does not verify) the recorded steps are undone, using the values
    /// recorded before each change. It is closed once, as recovered or rolled-back.
    private func resume(_ open: StoredCorrection, unit: UnitHealth) async {
        defer { running.remove(open.unit) }
        do {
            let steps = try await store.steps(of: open.id)
            guard let playbook = planner.playbooks.first(where: { $0.name == open.playbook }) else {
                try await store.closeCorrection(open.id, state: "failed", verification: "interrupted, and playbook \(open.playbook) is no longer loaded", at: clock.now())
                return
            }
            // Every step is recorded as it ends, in order: the done ones are a prefix of the playbook's.
            let forward = steps.filter { !$0.isRollback }
            let executed = zip(playbook.steps, forward).filter { $0.1.outcome == "done" }.map { (PlannedStep($0.0), $0.1.captured) }
            let runner = try await actionsRunner()
            let verifier = HealthVerifier(address: address, clock: clock, logger: logger)
            let store = self.store
            var executor = CorrectionExecutor(actions: BusUnitActions(runner: runner), clock: clock) { _, _, _ in (false, "") }
            executor.onStep = { step in
                let stored = StoredStep(step)
                try? await store.recordStep(stored, of: open.id)
            }
            var state = "rolled-back"
            var detail = "Medic stopped during the correction; "
            if unit.verdict.health == .healthy {
                let (verified, verification) = await verifier.verify(unit: open.unit, healthyFor: playbook.verify.healthyFor, within: playbook.verify.within)
                detail += verification
                if verified { state = "recovered" }
            } else {
                detail += "the unit was \(unit.verdict.health.rawValue) (\(unit.verdict.reason)) when Medic started again"
            }
            if state != "recovered" {
                if playbook.rollback == .automatic {
                    _ = await executor.rollback(executed, unit: open.unit, snapshot: unit.snapshot)
                } else {
                    state = "failed"
                }
            }
            let ended = clock.now()
            try await store.closeCorrection(open.id, state: state, verification: detail, at: ended)
            statistics.record(PastCorrection(unit: open.unit, playbook: open.playbook, signature: open.intent.signature, outcome: CorrectionOutcome(rawValue: state) ?? .failed,
                                             startedAt: open.startedAt, endedAt: ended))
            var guardState = guards[open.unit]?[playbook.name] ?? GuardState()
            guardState.record(start: open.startedAt, end: clock.now(), succeeded: state == "recovered", guard: playbook.guardrails)
            guards[open.unit, default: [:]][playbook.name] = guardState
            logger.notice("interrupted correction #\(open.id) of \(open.unit) with \(playbook.name): \(state)",
                          metadata: ["unit.name": "\(open.unit)", "medic.playbook": "\(playbook.name)", "medic.correction-id": "\(open.id)"])
        } catch {
            logger.error("cannot resolve interrupted correction #\(open.id) of \(open.unit): \(error)")
        }
    }

    private func actionsRunner() async throws -> JobRunner {
        if let runner { return runner }
        let opened = try await JobRunner.open(address)
        runner = opened
        return opened
    }
}
