import Logging
import MedicCore
import MedicStore
import SystemdBus

/// Starts corrections from `medic run`: every observation of a unit and every budget change is put
/// to the `CorrectionPlanner`; chosen plans run in the background through the `CorrectionExecutor`,
/// each recorded in the store (intent first). Guard state (cooldown, backoff, quarantine) is rebuilt
/// from the recorded history when Medic starts, so a restart does not reset the limits.
public actor CorrectionService {
    var planner: CorrectionPlanner
    let store: MedicStore
    let address: BusAddress
    let clock: WallClock
    let logger: Logger
    /// Where `match.journal` expressions look.
    public var journal = JournalLines()
    /// Journal lines read per unit, with the state change they were read after and when: a unit that
    /// has not changed is read again at most every 10 s, not on every event and heartbeat.
    var journalCache: [String: (stateChange: UInt64?, readAt: Double, lines: [String]?)] = [:]
    /// SLO figures, for playbooks whose verification also asks for a burn rate back under a threshold.
    public var slo: SLOQuery?

    public func useJournal(_ lines: JournalLines) {
        journal = lines
    }

    public func useSLO(_ query: SLOQuery) {
        slo = query
    }

    /// Told of every correction's start, steps and end (the dashboard's live feed); nothing by default.
    var onActivity: @Sendable (CorrectionActivity) async -> Void = { _ in }

    public func useActivity(_ hook: @escaping @Sendable (CorrectionActivity) async -> Void) {
        onActivity = hook
    }

    /// Writes of steps and outcomes that the store may refuse for a while (a full disk).
    var writes: HistoryWrites?

    public func use(_ writes: HistoryWrites) {
        self.writes = writes
    }

    var runner: JobRunner?
    var guards: [String: [String: GuardState]] = [:]
    /// Units with a correction running; each holds a slot of `max-concurrent` while it acts (its
    /// steps or its rollback), not while it only watches the unit for verification.
    var running: Set<String> = []
    /// Units whose correction is verifying now: watching, holding no slot.
    var verifying: Set<String> = []
    /// Corrections acting now, the count `max-concurrent` bounds.
    var acting: Int { running.subtracting(verifying).count }
    /// Units whose escalation (notifications only) is being sent: no slot held.
    var escalating: Set<String> = []
    /// The background task of each unit's running correction, to abandon it when the unit is removed.
    var taskOfUnit: [String: Int] = [:]
    /// After a plan was abandoned because its unit changed under it, the unit is left alone briefly.
    var pausedUntil: [String: Double] = [:]
    /// The reason last logged for not correcting each failing unit: logged once per change of reason.
    var heldReason: [String: String] = [:]
    /// Units whose correction waits because its intent could not be recorded (said once per stretch).
    var heldBack: Set<String> = []
    var recentStarts: [Double] = []
    /// When Medic last started a correction on each unit, for the fair order of `reconsider`.
    var lastCorrection: [String: Double] = [:]
    var reports: [String: SLOReport] = [:]
    var budgets: [String: BudgetState] = [:]
    /// What was learned from the recorded corrections; updated as each one ends.
    var statistics = LearnedStatistics()
    /// Failures that begin together are held back as one (a shared cause); see `FailureBursts`.
    var bursts: FailureBursts
    /// Watched units that are not protected: the denominator of the mass-failure share.
    var unprotected: Set<String> = []
    /// Pending re-decisions once a new failure has settled, by unit.
    var rechecks: [String: Task<Void, Never>] = [:]
    /// Nothing is decided before the watcher's first snapshot is complete: until then the watched set
    /// (the denominator of the mass-failure share) is not known.
    var snapshotSeen = false
    /// Set when shutdown begins: nothing new is started while running corrections drain.
    var stopping = false
    var latest: [String: UnitHealth] = [:]
    /// The last correction of each unit that did not heal it, while the unit stays unhealthy (alerts).
    var unresolved: [String: CorrectionFacts.UnresolvedCorrection] = [:]
    /// Corrections a crash left open, by unit: resolved when the unit is first seen again.
    var interrupted: [String: StoredCorrection] = [:]
    /// Corrections running in the background, by a serial number; each removes itself when done.
    var tasks: [Int: Task<Void, Never>] = [:]
    var nextTask = 0

    public init(planner: CorrectionPlanner, store: MedicStore, address: BusAddress, clock: WallClock = .system, logger: Logger) {
        self.planner = planner
        self.store = store
        self.address = address
        self.clock = clock
        self.logger = logger
        bursts = FailureBursts(limits: planner.limits)
    }

    /// Uses a new, already validated playbook set and settings from now on (running corrections
    /// finish with theirs).
    public func reconfigure(playbooks: [Playbook], protection: ProtectionPolicy, limits: CorrectionLimits, learning: LearningPolicy) {
        planner.playbooks = playbooks
        planner.protection = protection
        planner.limits = limits
        bursts.limits = limits
        planner.learning = learning
    }

    /// How many playbooks are in use.
    public var playbookCount: Int { planner.playbooks.count }

    /// The playbooks in force (changed by a reload), for the dashboard's explain.
    public var playbooks: [Playbook] { planner.playbooks }

    /// Corrections running now.
    public var runningCount: Int { running.count }

    /// Corrections that did not heal their unit and quarantined playbooks, for the alerts.
    public func facts() -> CorrectionFacts {
        var quarantines: [CorrectionFacts.Quarantine] = []
        for (unit, states) in guards {
            for (playbook, state) in states {
                if let since = state.quarantinedAt { quarantines.append(.init(unit: unit, playbook: playbook, since: since)) }
            }
        }
        return CorrectionFacts(unresolved: unresolved, quarantines: quarantines.sorted { ($0.unit, $0.playbook) < ($1.unit, $1.playbook) })
    }

    /// What the service is doing and holding back now, for `medic status` and `medic explain`.
    public func decisions() -> CorrectionDecisions {
        CorrectionDecisions(
            running: running.sorted(), verifying: verifying.sorted(), escalating: escalating.sorted(),
            hold: bursts.hold.map { CorrectionDecisions.Hold(units: $0.units.sorted(), since: $0.since, reason: $0.reason) },
            notCorrecting: heldReason,
            dependencyFailures: latest.values.reduce(into: [:]) { found, unit in
                if unit.verdict.cause == .dependency, let failure = unit.snapshot.dependencyFailure {
                    found[unit.name] = CorrectionDecisions.DependencyNote(root: failure.unit, reason: failure.reason, since: failure.at)
                }
            },
            limits: CorrectionDecisions.Limits(planner.limits)
        )
    }

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
    func refreshResets() async {
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
        let wanting = latest.values.filter { unit in
            unit.verdict.health == .failed || unit.verdict.health == .degraded || (budgets[unit.name] ?? .ok) > .ok
        }
        // The oldest failure nobody has attended to first, so that scarce slots are shared fairly.
        let candidates = wanting.map { unit in
            FairOrder.Candidate(name: unit.name, failingSince: unit.snapshot.stateChangeMicros.map { Double($0) / 1_000_000 },
                                lastCorrection: lastCorrection[unit.name])
        }
        for candidate in FairOrder.order(candidates) {
            guard let unit = latest[candidate.name] else { continue }
            await consider(unit)
        }
    }

    /// Takes in one observation of a unit.
    public func observe(_ unit: UnitHealth) async {
        guard !unit.snapshot.detailsPending else { return }  // known only from the unit list: not yet
        latest[unit.name] = unit
        if let open = interrupted.removeValue(forKey: unit.name) {
            track(unit: unit.name) { await self.resume(open, unit: unit) }
            return
        }
        if planner.protection.isProtected(unit.name) {
            unprotected.remove(unit.name)
        } else {
            unprotected.insert(unit.name)
            // A unit that failed because a unit it requires failed shares that unit's failure: it is not
            // a second one (the root is counted).
            let failing = (unit.verdict.health == .failed || unit.verdict.cause == .probe) && unit.verdict.cause != .dependency
            // A probe's failure begins when the probe says so, not when the unit last changed state.
            let probed = unit.verdict.cause == .probe
            let since = failing ? (probed ? clock.now() : unit.snapshot.stateChangeMicros.map { Double($0) / 1_000_000 } ?? clock.now()) : nil
            if let change = bursts.observe(unit.name, failingSince: since, settle: probed ? unit.snapshot.probe?.spread : nil) { report(change) }
        }
        if unit.verdict.health != .failed && unit.verdict.health != .degraded {
            heldReason[unit.name] = nil
            heldBack.remove(unit.name)
            unresolved[unit.name] = nil
        }
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

    /// A unit systemd unloaded (or that left the watched set) is forgotten: nothing more is planned
    /// for it, and its running correction is abandoned (closed as such, without undoing anything).
    public func forget(_ name: String) {
        latest[name] = nil
        unprotected.remove(name)
        rechecks.removeValue(forKey: name)?.cancel()
        if let change = bursts.observe(name, failingSince: nil) { report(change) }
        journalCache[name] = nil
        heldReason[name] = nil
        heldBack.remove(name)
        unresolved[name] = nil
        lastCorrection[name] = nil
        pausedUntil[name] = nil
        if let number = taskOfUnit[name], let task = tasks[number] {
            logger.notice("\(name) no longer exists: its running correction is abandoned", metadata: ["unit.name": "\(name)"])
            task.cancel()
        }
    }

    /// Waits for running corrections to finish (verification or rollback), at most `timeout` seconds;
    /// those still running then are left open in the history, and the next start finishes them as
    /// after a crash (verified, or undone from their record).
    public func drain(timeout: Double) async {
        stopping = true
        for task in rechecks.values { task.cancel() }
        rechecks = [:]
        let deadline = ContinuousClock.now + .seconds(timeout)
        if !tasks.isEmpty {
            logger.notice("stopping: waiting up to \(Int(timeout)) s for \(running.count + escalating.count) running correction(s) to finish")
        }
        while !tasks.isEmpty && ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { break }
        }
        if !tasks.isEmpty {
            let units = (running.union(escalating)).sorted().joined(separator: ", ")
            logger.warning("stopping with corrections still running (\(units)): they stay open in the history as interrupted, and the next start finishes them")
        }
        runner?.close()
    }

    /// Runs `work` in the background and forgets it once it is done.
    func track(unit: String, _ work: @escaping @Sendable () async -> Void) {
        let number = nextTask
        nextTask += 1
        taskOfUnit[unit] = number
        tasks[number] = Task {
            await work()
            self.finished(number, unit: unit)
        }
    }

    func finished(_ number: Int, unit: String) {
        tasks[number] = nil
        if taskOfUnit[unit] == number { taskOfUnit[unit] = nil }
        // What comes next for the unit (a cooldown, another playbook) is decided now, not at the next heartbeat.
        if latest[unit] != nil { recheck(unit, at: clock.now()) }
    }

    /// Closes a correction in a task of its own (a cancelled task's database writes would be
    /// refused); when the store refuses it, the outcome waits in `writes` until it can be stored.
    func close(_ id: Int64, state: String, detail: String?, at time: Double? = nil, recoverySeconds: Double? = nil) async {
        let store = self.store
        let ended = time ?? clock.now()
        let write: @Sendable () async throws -> Void = {
            try await store.closeCorrection(id, state: state, verification: detail, at: ended, recoverySeconds: recoverySeconds)
        }
        if let writes {
            if !(await writes.write("closing correction #\(id)", write)) {
                logger.warning("correction #\(id) ended \(state), but its outcome cannot be stored yet: it is written once the history is writable")
            }
        } else {
            let logger = self.logger
            await Task {
                do { try await write() } catch { logger.error("cannot close correction #\(id): \(error)") }
            }.value
        }
    }

    /// The unit's recent journal lines (for `match.journal`, the failure signature and the history),
    /// not re-read on every event, and never read for units Medic would not act on anyway.
    func journalLines(for unit: UnitHealth) -> [String]? {
        guard !running.contains(unit.name), !planner.protection.isProtected(unit.name) else { return nil }
        let stateChange = unit.snapshot.stateChangeMicros
        let now = clock.now()
        if let cached = journalCache[unit.name], cached.stateChange == stateChange, now - cached.readAt < 10 { return cached.lines }
        let lines = journal.lines(of: unit.name)
        journalCache[unit.name] = (stateChange, now, lines)
        return lines
    }

    func consider(_ unit: UnitHealth) async {
        guard snapshotSeen, !stopping else { return }
        let (burst, change) = bursts.verdict(for: unit.name, watched: unprotected.count, now: clock.now())
        if let change { report(change) }
        switch burst {
        case .settling(let until):
            recheck(unit.name, at: until)
            return
        case .held(let reason):
            hold(unit, reason)
            return
        case .free:
            break
        }
        // A unit that failed because a unit it requires failed: the root cause is healed first.
        if unit.verdict.cause == .dependency, let root = unit.snapshot.dependencyFailure?.unit, let why = rootFirst(root, of: unit.name) {
            hold(unit, why)
            return
        }
        // Units no playbook could match cost nothing more (their journal is not read).
        guard planner.playbooks.contains(where: { $0.match.matchesIgnoringJournal(unit) }) else {
            hold(unit, "no playbook matches it (\(unit.verdict.reason))")
            return
        }
        let now = clock.now()
        if let until = pausedUntil[unit.name] {
            if now < until { return }
            pausedUntil[unit.name] = nil
        }
        recentStarts.removeAll { now - $0 >= 60 }
        let lines = journalLines(for: unit)
        let situation = CorrectionPlanner.Situation(
            unit: unit, budget: budgets[unit.name], journal: lines, statistics: statistics, guards: guards[unit.name] ?? [:],
            correctionRunning: running.contains(unit.name) || escalating.contains(unit.name), runningCorrections: acting, recentStarts: recentStarts,
            now: now
        )
        switch planner.decide(situation) {
        case .act(let plan):
            heldReason[unit.name] = nil
            launch(plan, unit: unit, journal: lines, escalation: false)
        case .escalate(let name, let playbook, let reason):
            heldReason[unit.name] = nil
            let notify = playbook.steps.filter { if case .notify = $0 { return true } else { return false } }
            var escalation = playbook
            escalation.steps = notify
            escalation.rollback = .none
            let plan = CorrectionPlan(unit: name, playbook: escalation, steps: notify.map(PlannedStep.init), alternatives: [], dryRun: planner.dryRun,
                                      reason: "escalation: \(reason)", signature: situation.failureSignature)
            var state = guards[name]?[playbook.name] ?? GuardState()
            if playbook.notifiesOnly {
                // A playbook that only notifies is spaced by its cooldown, never quarantined.
                state.record(start: now, end: now, succeeded: true, guard: playbook.guardrails)
            } else {
                state.markEscalated()
            }
            guards[name, default: [:]][playbook.name] = state
            if notify.isEmpty {
                hold(unit, "\(reason); \(playbook.name) has no notify step to escalate with")
                return
            }
            launch(plan, unit: unit, journal: lines, escalation: true)
        case .wait(_, let reason), .none(let reason):
            hold(unit, reason)
        }
    }

    func launch(_ plan: CorrectionPlan, unit: UnitHealth, journal: [String]?, escalation: Bool) {
        if escalation {
            escalating.insert(plan.unit)
        } else {
            running.insert(plan.unit)
        }
        let startedAt = clock.now()
        if !escalation {
            recentStarts.append(startedAt)
            lastCorrection[plan.unit] = startedAt
        }
        let intent = CorrectionIntent(
            unit: plan.unit, playbook: plan.playbook.name, reason: plan.reason, alternatives: plan.alternatives, dryRun: plan.dryRun,
            startedAt: startedAt, signature: plan.signature?.key ?? "", trigger: TriggerDescription.describe(plan.playbook.trigger, manual: false, report: reports[plan.unit]),
            rank: plan.rank, journal: JournalExcerpt.cap(journal ?? [])
        )
        track(unit: plan.unit) { await self.execute(plan, intent: intent, unit: unit, escalation: escalation) }
    }

    func execute(_ plan: CorrectionPlan, intent: CorrectionIntent, unit: UnitHealth, escalation: Bool) async {
        defer {
            if escalation { escalating.remove(plan.unit) } else { running.remove(plan.unit) }
            verifying.remove(plan.unit)
        }
        do {
            let actions = try await actionsRunner()
            let store = self.store
            let id: Int64
            do {
                id = try await Task { try await store.openCorrection(intent) }.value
            } catch {
                // No intent on record, no action: Medic never acts without writing down first what it
                // is about to do. The unit stays failing and is offered again at the next heartbeat.
                recentStarts.removeAll { $0 == intent.startedAt }
                await writes?.failed(error, doing: "recording an intent")
                // Tried again at the next heartbeat, not at once: a full disk must not become a busy loop.
                pausedUntil[plan.unit] = clock.now() + 2
                let reason = "held back: the intent to run \(plan.playbook.name) could not be recorded (\(StoreFailure.isDiskFull(error) ? "disk is full" : "\(error)")); tried again once the history is writable"
                heldReason[plan.unit] = reason
                if heldBack.insert(plan.unit).inserted {
                    logger.warning("not correcting \(plan.unit): \(reason)", metadata: ["unit.name": "\(plan.unit)"])
                }
                return
            }
            if heldBack.remove(plan.unit) != nil {
                logger.notice("the intent to correct \(plan.unit) is on record now: correcting it", metadata: ["unit.name": "\(plan.unit)"])
            }
            logger.notice("\(escalation ? "escalating" : "correcting") \(plan.unit) with \(plan.playbook.name)\(plan.dryRun ? " (dry-run)" : ""): \(plan.reason)",
                          metadata: ["unit.name": "\(plan.unit)", "medic.playbook": "\(plan.playbook.name)", "medic.correction-id": "\(id)"])
            let verifier = HealthVerifier(address: address, clock: clock, logger: logger)
            let slo = self.slo
            let clock = self.clock
            let burnRateBelow = plan.playbook.verify.burnRateBelow
            var executor = CorrectionExecutor(actions: BusUnitActions(runner: actions), clock: clock) { request in
                let deadline = clock.now() + request.within
                // Watching holds no slot: other units need not wait out this unit's verification.
                await self.verifying(request.unit, true)
                let (healthy, detail) = await verifier.verify(request)
                await self.verifying(request.unit, false)
                guard healthy, let threshold = burnRateBelow else { return (healthy, detail) }
                guard let slo else { return (false, "\(detail), but no SLO figures to check the burn rate with") }
                return await BurnRateCheck.wait(unit: request.unit, below: threshold, until: deadline, query: slo, clock: clock, healthy: detail)
            }
            // The daemon cancels a correction only when its unit is gone: nothing is left to undo.
            executor.undoWhenInterrupted = false
            executor.dependents = { await self.dependents(of: plan.unit) }
            executor.correctionID = id
            StepRecorder(store: store, correction: id, logger: logger, writes: writes).attach(to: &executor)
            let activity = onActivity, playbookName = plan.playbook.name
            let recorded = executor.onStep
            executor.onStep = { step in
                await recorded(step)
                let detail = "\(step.isRollback ? "rollback " : "")\(step.action): \(step.outcome)\(step.error.map { " (\($0))" } ?? "")"
                await activity(CorrectionActivity(id: id, unit: plan.unit, playbook: playbookName, event: .step, detail: detail))
            }
            await activity(CorrectionActivity(id: id, unit: plan.unit, playbook: playbookName, event: .started, detail: plan.reason))
            let report = await executor.execute(plan, unit: unit.snapshot)
            var outcome = CorrectionOutcome(rawValue: report.outcome.rawValue) ?? .failed
            var detail = report.verification
            if report.outcome == .interrupted {
                outcome = .abandoned
                detail = "\(plan.unit) was removed during the correction; nothing was undone"
            } else if actions.isClosed, outcome == .failed || outcome == .rolledBack {
                // Medic lost systemd in the middle: an interruption, not a failure of the playbook.
                outcome = .interrupted
                detail = "Medic lost its connection to systemd during the correction (\(detail ?? "")); it is tried again once the connection is back"
            }
            let recovery = report.recoverySeconds(healthyFor: plan.playbook.verify.healthyFor)
            await close(id, state: outcome.rawValue, detail: detail, at: report.ended, recoverySeconds: recovery)
            if outcome == .abandoned { pausedUntil[plan.unit] = clock.now() + 10 }
            await onActivity(CorrectionActivity(id: id, unit: plan.unit, playbook: plan.playbook.name, event: .ended, detail: outcome.rawValue + (detail.map { ": \($0)" } ?? "")))
            EventMetrics.finished(playbook: plan.playbook.name, outcome: outcome, seconds: report.ended - report.started)
            if [.failed, .rolledBack, .escalated].contains(outcome) {
                unresolved[plan.unit] = .init(id: id, playbook: plan.playbook.name, outcome: outcome, detail: detail, at: report.ended)
            }
            // Escalations (notify steps only) end `escalated` or `dry-run`: never learned from.
            let counted = outcome.isLearnedFrom
            if counted {
                statistics.record(PastCorrection(unit: plan.unit, playbook: plan.playbook.name, signature: intent.signature, outcome: outcome,
                                                 startedAt: intent.startedAt, endedAt: report.ended, recoverySeconds: recovery))
            }
            if !escalation, counted || outcome == .dryRun, let original = planner.playbooks.first(where: { $0.name == plan.playbook.name }) {
                var guardState = guards[plan.unit]?[original.name] ?? GuardState()
                guardState.record(start: report.started, end: report.ended, succeeded: outcome == .recovered || outcome == .dryRun, guard: original.guardrails)
                guards[plan.unit, default: [:]][original.name] = guardState
            }
            logger.notice("correction #\(id) of \(plan.unit) with \(plan.playbook.name): \(outcome.rawValue)\(detail.map { " (\($0))" } ?? "")",
                          metadata: ["unit.name": "\(plan.unit)", "medic.playbook": "\(plan.playbook.name)", "medic.correction-id": "\(id)"])
        } catch {
            logger.error("correction of \(plan.unit) with \(plan.playbook.name) could not run: \(error)")
        }
    }

    /// Why a unit that failed on its dependency `root` waits for Medic to heal `root` first (see `DependencyRoot`).
    func rootFirst(_ root: String, of unit: String) -> String? {
        DependencyRoot.reasonToWait(dependent: unit, root: root, rootHealth: latest[root], rootCorrecting: running.contains(root), planner: planner)
    }

    /// Units whose start failed because `root` had failed (and that Medic may act on).
    func dependents(of root: String) -> [String] {
        latest.values.filter { unit in
            unit.verdict.cause == .dependency && unit.snapshot.dependencyFailure?.unit == root && !planner.protection.isProtected(unit.name)
        }.map(\.name).sorted()
    }

    /// Marks a unit's correction as verifying (no slot held) or acting again (its rollback).
    func verifying(_ unit: String, _ on: Bool) {
        if on { verifying.insert(unit) } else { verifying.remove(unit) }
    }

    /// The connection corrections act through, opened again when it died with the bus.
    func actionsRunner() async throws -> JobRunner {
        if let runner, !runner.isClosed { return runner }
        runner?.close()
        let opened = try await JobRunner.open(address)
        runner = opened
        return opened
    }
}
