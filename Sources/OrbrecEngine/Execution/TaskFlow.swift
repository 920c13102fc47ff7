internal import OrbrecCore
internal import OrbrecStore

/// The event-driven part of reconciling task pools. Between level-triggered passes, each
/// attempt end a scheduler announces is settled and its slot filled at once; each step is one
/// durable transaction holding the ends that arrived together, the jobs of the attempts the
/// step before started, and the intent of the attempts it starts (group commit). Used by
/// `apply --wait` and the daemon alike.
///
/// The pass stays the safety net: it observes everything, dead-letters, cancels, applies
/// deadlines and configuration changes; a flow is made anew after each pass and `flush`ed
/// before the next one.
actor TaskFlow {
    let reconciler: Reconciler
    let desired: DesiredState
    let schedulers: SchedulerRegistry
    let definitions: [String: [String: TaskDefinition]]
    let deadlines: [String: Instant]
    var dispatcher: TaskDispatcher
    /// Started by the last step; recorded with the next step's transaction.
    var started: [StateStore.StartedAttempt] = []
    var finished: [StateStore.FinishedAction] = []
    /// Attempts the scheduler could not start (infra), settled in the next transaction.
    var lost: [StateStore.Settlement] = []
    var generator = SystemRandomNumberGenerator()
    /// Submits the scheduler is still answering.
    var submitting = 0
    var inFlight: [Task<Void, Never>] = []

    /// A flow over the pools whose scheduler announces ends (local push pools, and pull pools,
    /// whose workers' reports the lease API announces) and could be observed, or nil when there
    /// is none (every pool on a cluster scheduler, or nothing left to run).
    /// `snapshot.tasks` must be what the journal holds now (`stale`: the pass acted since it
    /// was taken, so the tasks are read again).
    /// `hearsWorkers`: this process serves the lease API, so pull pools' ends reach it.
    static func make(_ reconciler: Reconciler, snapshot: Snapshot, stale: Bool = false, hearsWorkers: Bool) async throws -> TaskFlow? {
        let desired = snapshot.desired
        let schedulers = try await reconciler.schedulers(for: desired)
        let pools = desired.pools.values.filter { pool in
            (pool.mode != .pull || hearsWorkers) && snapshot.observed.unreachableSchedulers[pool.scheduler] == nil
                && schedulers[pool.scheduler]?.announcesEnds == true
        }.map { $0.startable(cancelling: desired.cancelling) }
        guard !pools.isEmpty else { return nil }
        let store = reconciler.store
        // The pass's own reading of the journal when it is still true, not a second one.
        let names = Set(pools.map(\.name))
        let tasks = (stale ? try await store.taskStatuses() : snapshot.tasks).filter { names.contains($0.pool) }
        let open = try await store.openAttemptHandles()
        var slots: [String: Int?] = [:]
        var queueAhead: [String: Int] = [:]
        for pool in pools {
            slots[pool.scheduler] = desired.schedulers[pool.scheduler]?.effectiveSlots
            queueAhead[pool.scheduler] = schedulers[pool.scheduler]?.queueAhead ?? 0
        }
        let dispatcher = TaskDispatcher(pools: pools, tasks: tasks, slots: slots,
                                        runningBySchedulers: Dictionary(grouping: open, by: \.scheduler).mapValues(\.count),
                                        queueAhead: queueAhead)
        var deadlines: [String: Instant] = [:]
        for pool in pools {
            if let deadline = pool.deadline, let started = snapshot.poolStartedAt[pool.name] { deadlines[pool.name] = started.adding(deadline) }
        }
        // Pools with nothing left to run make no flow: the caller paces its passes as it would without.
        guard !dispatcher.isDrained else { return nil }
        let definitions = Dictionary(uniqueKeysWithValues: pools.map { pool in
            (pool.name, Dictionary(pool.tasks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first }))
        })
        return TaskFlow(reconciler: reconciler, desired: desired, schedulers: schedulers, definitions: definitions,
                        deadlines: deadlines, dispatcher: dispatcher)
    }

    init(reconciler: Reconciler, desired: DesiredState, schedulers: SchedulerRegistry, definitions: [String: [String: TaskDefinition]],
         deadlines: [String: Instant], dispatcher: TaskDispatcher) {
        self.reconciler = reconciler
        self.desired = desired
        self.schedulers = schedulers
        self.definitions = definitions
        self.deadlines = deadlines
        self.dispatcher = dispatcher
    }

    /// Nothing runs, waits or is pending: the next pass decides what comes next.
    var isDrained: Bool { dispatcher.isDrained }

    /// The pools this flow moves.
    var pools: [String] { dispatcher.pools }

    /// When the earliest retry comes due.
    var nextRetry: Instant? { dispatcher.nextRetry }

    /// Whether something started is not yet confirmed in the journal.
    var needsFlush: Bool { !started.isEmpty || !finished.isEmpty || !lost.isEmpty || submitting > 0 }

    /// Each dispatched pool's counts, by name.
    var counts: [(pool: String, counts: TaskDispatcher.Counts)] {
        dispatcher.pools.compactMap { name in dispatcher.counts(of: name).map { (name, $0) } }
    }

    /// What a step did: attempts settled, attempts it asked the scheduler to start, and the
    /// verb of each action it journaled.
    struct StepResult: Sendable {
        var settled = 0
        var started = 0
        var actions: [Verb] = []
    }

    /// Settles `ends` and starts what their slots (and due retries) allow.
    @discardableResult
    func step(_ ends: [ObservedAttempt]) async throws -> StepResult {
        let clock = reconciler.clock
        let store = reconciler.store
        let now = clock.now()
        let refused = lost
        var settlements = refused
        lost = []
        // One end per attempt: an end announced twice is settled once.
        var seen: Set<AttemptKey> = []
        let relevant = ends.filter {
            dispatcher.dispatches($0.task.pool) && $0.outcome != nil && seen.insert(AttemptKey(task: $0.task, attempt: $0.attempt)).inserted
        }
        if !relevant.isEmpty {
            // The journal decides: an end a pass has settled already finds its task no longer running.
            let running = try await store.runningTasks(relevant.map(\.task))
            for end in relevant {
                guard let status = running[end.task], status.attemptsStarted == end.attempt, let outcome = end.outcome else { continue }
                let policy = desired.pools[end.task.pool]?.retry ?? .default
                let transition = TaskLifecycle.finish(status, attempt: end.attempt, outcome: outcome, policy: policy, now: now,
                                                      jitterSample: Double.random(in: -1...1, using: &generator))
                settlements.append(StateStore.Settlement(transition: transition, attempt: end.attempt, outcome: outcome, jobID: end.jobID))
                dispatcher.ended(transition.task)
            }
        }
        for (pool, deadline) in deadlines where now > deadline { dispatcher.stop(pool) }
        let submits = plan(dispatcher.starts(now: now), now: now)
        // Taken before the write is awaited: submits in flight (on this actor) keep adding to
        // `started` and `finished` meanwhile, for the next step.
        let confirming = takeUnconfirmed()
        do {
            try await store.recordStep(started: confirming.started, finished: confirming.finished, settlements: settlements,
                                       submits: submits.map(\.record), at: now)
        } catch {
            restoreUnconfirmed(confirming)
            // The scheduler's refusals are settled with a later write, as they would have been.
            lost = refused + lost
            throw error
        }
        guard !submits.isEmpty else { return StepResult(settled: settlements.count) }
        reconciler.checkpoint("action.after-issuing")
        // The scheduler starts them while the next ends are settled: its answers (job ids, or
        // attempts it could not start) are journaled with a later step.
        submitting += 1
        let batch = Task {
            for submit in submits { await carryOut(submit, now: now) }
            reconciler.checkpoint("action.after-provider")
            submitted()
        }
        inFlight.append(batch)
        return StepResult(settled: settlements.count, started: submits.reduce(0) { $0 + $1.record.attempts.count },
                          actions: submits.map(\.record.action.verb))
    }

    private func submitted() {
        submitting -= 1
        if submitting == 0 { inFlight = [] }
    }

    /// Records what the last step left to confirm (jobs, action ends, attempts not started),
    /// once the scheduler has answered every submit in flight.
    func flush() async throws {
        for batch in inFlight { await batch.value }
        guard needsFlush else { return }
        let confirming = takeUnconfirmed()
        let settlements = lost
        lost = []
        do {
            try await reconciler.store.recordStep(started: confirming.started, finished: confirming.finished, settlements: settlements,
                                                  submits: [], at: reconciler.clock.now())
        } catch {
            restoreUnconfirmed(confirming)
            lost = settlements + lost
            throw error
        }
    }

    /// The jobs and action ends not yet journaled, taken out for a write (and left empty).
    private func takeUnconfirmed() -> (started: [StateStore.StartedAttempt], finished: [StateStore.FinishedAction]) {
        defer {
            started = []
            finished = []
        }
        return (started, finished)
    }

    /// Puts back what a write that failed did not journal, ahead of what came since.
    private func restoreUnconfirmed(_ taken: (started: [StateStore.StartedAttempt], finished: [StateStore.FinishedAction])) {
        started = taken.started + started
        finished = taken.finished + finished
    }

    // MARK: Steps

    struct Submit {
        var record: StateStore.StepSubmit
        var pool: TaskPoolSpec
    }

    /// One action per pool for pending tasks, one per retry (each with its own reason), as the planner words them.
    private func plan(_ starts: [TaskDispatcher.Start], now: Instant) -> [Submit] {
        var submits: [Submit] = []
        let encoder = PayloadEncoder()
        func add(_ pool: TaskPoolSpec, _ verb: Verb, _ reason: ActionReason, _ refs: [TaskAttemptRef]) {
            let action = PlannedAction(verb: verb, resource: pool.id, reason: reason, provider: pool.scheduler, template: "", templateHash: "",
                                       taskAttempts: refs)
            let scheduled = ScheduledAction(id: Identifiers.action(), action: action)
            let record = ActionRecord(id: scheduled.id, idempotencyKey: scheduled.id, verb: verb, resource: pool.id, reason: reason,
                                      detail: action.detail, state: .planned, requestId: nil, payload: encoder.encode(scheduled),
                                      configRevision: desired.revision, actor: reconciler.actor, createdAt: now, updatedAt: now)
            submits.append(Submit(record: StateStore.StepSubmit(action: record, scheduler: pool.scheduler, attempts: refs), pool: pool))
        }
        for (name, group) in Dictionary(grouping: starts, by: \.pool).sorted(by: { $0.key < $1.key }) {
            guard let pool = desired.pools[name] else { continue }
            let fresh = group.filter { $0.retrying == nil }.map(\.ref)
            if !fresh.isEmpty { add(pool, .submit, .taskPending, fresh) }
            for start in group {
                guard let waited = start.retrying else { continue }
                let last = waited.lastOutcome?.summary ?? "failed"
                add(pool, .retry, ActionReason("task-failed", detail: "\(last) attempt=\(waited.attemptsConsumed)/\(pool.retry.maxAttempts)"),
                    [start.ref])
            }
        }
        return submits
    }

    /// Starts one action's attempts; returns how many started. What could not start is an
    /// infra failure (not counted), settled with the next step.
    @discardableResult
    private func carryOut(_ submit: Submit, now: Instant) async -> Int {
        let pool = submit.pool
        let action = submit.record.action
        let definitions = self.definitions[pool.name] ?? [:]
        let order = SubmitOrder(
            owner: reconciler.store.stateID, actionID: action.id, pool: pool.name, env: pool.env, workdir: pool.workdir,
            walltime: pool.resources.walltime,
            attempts: submit.record.attempts.compactMap { ref in
                definitions[ref.key].map { SubmitOrder.Attempt(key: ref.key, attempt: ref.attempt, argv: pool.argv(for: $0, attempt: ref.attempt)) }
            }, resources: pool.resources, parallelism: pool.parallelism)
        let reports: [AttemptOutcomeReport]
        if let scheduler = schedulers[pool.scheduler] {
            reports = await scheduler.submit(order)
        } else {
            reports = order.attempts.map { AttemptOutcomeReport(task: TaskID(pool: pool.name, key: $0.key), attempt: $0.attempt,
                                                                error: ProviderError(code: "scheduler-gone", message: "scheduler \(pool.scheduler) is not available")) }
        }
        var failures: [String] = []
        let notStarted = reports.filter { $0.jobID == nil && $0.error?.code != ProviderError.outcomeUnknown }
        let journaled = notStarted.isEmpty ? [:] : ((try? await reconciler.store.runningTasks(notStarted.map(\.task))) ?? [:])
        for report in reports {
            if let jobID = report.jobID {
                started.append(StateStore.StartedAttempt(pool: pool.name, key: report.task.key, attempt: report.attempt, jobID: jobID))
                continue
            }
            // Whether it started is unknown, or its task cannot be read back: observation settles it
            // (the attempt stays open), never a guess that could run it twice or reset its count.
            guard report.error?.code != ProviderError.outcomeUnknown, let running = journaled[report.task] else {
                failures.append("\(TextEscaping.quoted(report.task.key, limit: 80)): \(report.error?.description ?? "not started"); left to the next look")
                continue
            }
            let outcome = AttemptOutcome.notStarted(report.error)
            let transition = TaskLifecycle.finish(running, attempt: report.attempt, outcome: outcome, policy: pool.retry,
                                                  now: now, jitterSample: 0)
            lost.append(StateStore.Settlement(transition: transition, attempt: report.attempt, outcome: outcome, jobID: nil))
            dispatcher.ended(transition.task)
            failures.append("\(TextEscaping.quoted(report.task.key, limit: 80)): \(report.error?.description ?? "not started")")
        }
        finished.append(StateStore.FinishedAction(
            id: action.id, resource: action.resource.description, reason: action.reason.description,
            error: failures.isEmpty ? nil : "\(reports.count - failures.count) of \(reports.count) attempt(s) started: "
                + failures.prefix(3).joined(separator: "; ")))
        return reports.count - failures.count
    }
}
