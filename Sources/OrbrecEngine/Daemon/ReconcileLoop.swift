public import OrbrecCore
public import OrbrecStore
internal import Synchronization

/// The daemon's reconciler: a queue of fleets and pools to reconcile, worked through in
/// passes. Each pass takes the state lock, observes, plans, carries out the actions of the
/// keys it took, and lets the lock go, so the CLI can read (and apply) in between.
///
/// Passes are level-triggered: a key names what to look at, never what to do; the plan of
/// the whole desired state decides. One pass runs at a time (the state lock is one per
/// state), and a key is never in two passes.
public actor ReconcileLoop {
    let reconciler: Reconciler
    let store: StateStore
    /// Wall time, for what is journaled.
    let clock: any Clock
    /// Monotonic time, for when things are due: a wall clock stepped back by NTP must not
    /// put the loop to sleep for the size of the step.
    let schedule: any Clock
    let options: DaemonOptions
    let lock: StateLockHooks
    let log: DaemonLog
    public nonisolated let metrics: DaemonMetrics
    public nonisolated let status: DaemonStatusCell
    public nonisolated let pools = PoolCatalog()

    var queue: WorkQueue<ResourceID>
    var desired: DesiredState?
    var lastInvalid: [Diagnostic] = []
    /// Configuration loads in the order they began: one that waited on the store while a
    /// later one was applied is dropped, never applied over it.
    var loadsBegun = 0
    var loadsApplied = 0
    /// Fleets and pools the state still holds but the configuration no longer declares
    /// (their removal not finished): resynced with the declared ones.
    var undeclaredKeys: Set<ResourceID> = []
    /// When a valid configuration last changed (schedule time): removals wait `pruneDelay` after it.
    var lastChangeAt: Instant?
    /// The follow-up delay of each key whose plan stayed unfinished, doubling.
    var followUpDelay: [ResourceID: Int64] = [:]
    var nextObservation: Instant?
    var nextTaskCheck: Instant?
    var running = false
    /// Passes failed in a row because the state could not be used: their retry spaces out to
    /// `stateRetryMaximum`.
    var stateFailures = 0
    static let stateRetryMaximum = ConfigDuration.seconds(10)
    /// Pools moving on attempt ends between passes (made after each pass).
    var flow: TaskFlow?
    /// The state lock while flow steps follow each other closely.
    var flowLock: String?
    /// The pools the flow moves: the task interval's looks leave them to it.
    var flowPools: Set<String> = []
    /// Another process's commits change this: a pass looks before the flow acts again.
    var flowJournalVersion = 0
    /// Since when steps hold the lock without a break, and until when a break lasts.
    var flowLockSince: ContinuousClock.Instant?
    var flowBreakUntil: ContinuousClock.Instant?
    /// When the last flow step began: the next waits out `flowCoalesce` from it.
    var flowStepAt: ContinuousClock.Instant?
    nonisolated let stopping = Atomic<Bool>(false)
    nonisolated let wakeup = WakeupSignal()
    /// Called after a pass journaled actions, so event streams look sooner than their poll.
    nonisolated let journaled: @Sendable () -> Void

    public init(reconciler: Reconciler, store: StateStore, clock: any Clock = SystemClock(), schedule: (any Clock)? = nil,
                options: DaemonOptions,
                lock: StateLockHooks, log: DaemonLog, metrics: DaemonMetrics = DaemonMetrics(),
                journaled: @escaping @Sendable () -> Void = {}) {
        self.reconciler = reconciler
        self.store = store
        self.clock = clock
        self.schedule = schedule ?? MonotonicClock()
        self.options = options
        self.lock = lock
        self.log = log
        self.metrics = metrics
        self.journaled = journaled
        self.status = DaemonStatusCell(DaemonStatus(startedAt: clock.now()))
        self.queue = WorkQueue(backoff: options.backoff)
    }

    // MARK: Triggers

    /// A (re)read configuration: a valid one is put in force and the keys it changed are
    /// reconciled at once; an invalid one is reported and the last valid one stays.
    public func configurationLoaded(_ load: ConfigurationLoad, cause: String) async {
        loadsBegun += 1
        let ticket = loadsBegun
        // At start, resources the state holds but the configuration no longer declares are
        // keys too: they are to be pruned. Read before anything of the actor's is looked at,
        // since other calls may run on the actor while this waits for the store (`desired`
        // only ever goes from nil to a value, so a stale nil here at worst reads for nothing).
        var held: Set<ResourceID> = []
        var effective: DesiredState?
        if case .valid(let next) = load {
            if desired == nil { held = Set(((try? await store.knownResources()) ?? []).map(\.id).filter(\.isReconcileKey)) }
            effective = try? await reconciler.effectiveDesired(next)
        }
        guard ticket > loadsApplied else {
            log.debug("a configuration load was overtaken by a later one", [("cause", cause)])
            return
        }
        loadsApplied = ticket
        let now = schedule.now()
        switch load {
        case .valid(let next):
            metrics.recordConfiguration(valid: true)
            let wasInvalid = !lastInvalid.isEmpty
            lastInvalid = []
            status.update { $0.configurationErrors = [] }
            guard next.revision != desired?.revision else {
                if wasInvalid { await recordEvent(to: "valid", cause: "the configuration is valid again (unchanged)", revision: next.revision) }
                return
            }
            let known = desired == nil ? held : []
            let keys = next.reconcileKeys(changedFrom: desired).union(known)
            let previous = desired?.revision
            if desired != nil { lastChangeAt = now }
            desired = next
            pools.replace(with: effective?.pools ?? next.pools)
            status.update { $0.revision = next.revision }
            log.info("configuration loaded", [("revision", String(next.revision.prefix(12))), ("resources", "\(next.resourceCount)"),
                                               ("changed", "\(keys.count)"), ("cause", cause)])
            await recordEvent(to: "loaded", cause: previous == nil ? "\(cause): \(next.resourceCount) resource(s)"
                                  : "\(cause): \(keys.count) fleet(s)/pool(s) changed", revision: next.revision)
            for key in keys { queue.add(key, .change, now: now) }
            wakeup.signal()
        case .invalid(let diagnostics):
            metrics.recordConfiguration(valid: false)
            let errors = diagnostics.filter { $0.severity == .error }
            status.update { $0.configurationErrors = errors }
            guard errors != lastInvalid else { return }
            lastInvalid = errors
            let kept = desired.map { "revision \($0.revision.prefix(12)) stays in force" } ?? "nothing is reconciled until it is valid"
            log.warning("configuration invalid; \(kept)", [("errors", "\(errors.count)"), ("cause", cause)])
            for diagnostic in errors { log.warning(diagnostic.rendered) }
            await recordEvent(to: "invalid", cause: "\(errors.count) error(s): " + errors.prefix(3).map(\.rendered).joined(separator: "; "),
                              revision: desired?.revision)
        }
    }

    /// Reconciles every fleet and pool now (`POST /api/v1/reconcile`, SIGHUP after a reload).
    @discardableResult
    public func reconcileAll(cause: String) async -> Bool {
        guard desired != nil, !isStopping else { return false }
        // The store first, then the actor's state as it is after the wait.
        let known = (try? await store.knownResources().map(\.id).filter(\.isReconcileKey)) ?? []
        guard let desired, !isStopping else { return false }
        let now = schedule.now()
        for key in desired.reconcileKeys.union(known) {
            queue.add(key, .change, now: now)
        }
        log.debug("reconcile requested", [("cause", cause)])
        wakeup.signal()
        return true
    }

    /// The pool in force by that name (a workflow run's included); nil before the first valid
    /// configuration.
    public nonisolated func pool(named name: String) -> TaskPoolSpec? { pools[name] }

    /// The task `key` of the pool in force by that name, looked up without listing the pool.
    public nonisolated func taskDefinition(pool name: String, key: String) -> TaskDefinition? { pools.definition(pool: name, key: key) }

    /// Tells the loop a worker ended an attempt: settled, and its slot filled, by the next step.
    public nonisolated func attemptEnded(_ attempt: ObservedAttempt) { reconciler.attemptEnds.post([attempt]) }

    /// How soon a pool is looked at after a worker's report when no flow moves it: reports
    /// that arrive together are settled by one pass.
    static let pokeDelay = ConfigDuration(milliseconds: 100)

    /// Asks the loop to stop: no new action starts, the ones in flight finish, `run` returns.
    public nonisolated func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        status.update { $0.stopping = true }
        wakeup.signal()
    }

    nonisolated var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    // MARK: Loop

    /// Works the queue until `stop()`. Returns after the pass in progress has finished.
    public func run() async {
        guard !running else { return }
        running = true
        let wakeup = self.wakeup
        reconciler.attemptEnds.listen { wakeup.signal() }
        defer { reconciler.attemptEnds.listen(nil) }
        while !isStopping {
            let now = schedule.now()
            markProgress()
            await scheduleObservation(now: now)
            if flow == nil, reconciler.attemptEnds.hasPending {
                // No flow moves these pools now: a pass settles the ends (several together).
                for pool in Set(reconciler.attemptEnds.take().map(\.task.pool)) where !queue.isWaiting(ResourceID(.taskPool, pool)) {
                    queue.add(ResourceID(.taskPool, pool), at: now.adding(Self.pokeDelay))
                }
            }
            if reconciler.attemptEnds.takeLookRequest(), let desired {
                for name in desired.pools.keys { queue.add(ResourceID(.taskPool, name), .change, now: now) }
            }
            let keys = takeDue(now: now)
            metrics.recordQueue(depth: queue.depth, inFlight: keys.count)
            if keys.isEmpty && desired != nil && status.current.passes == 0 {
                // A configuration with nothing to act on still gets one look, so the API has a
                // report and readiness does not wait for a change that may never come.
                await pass([])
                continue
            }
            if keys.isEmpty {
                if await flowHasWork() {
                    await coalesceFlowSteps()
                    await flowStep()
                    continue
                }
                if flowLock != nil {
                    // Held briefly after a step: the next end usually follows within milliseconds.
                    await wakeup.wait(upTo: .milliseconds(Self.flowLockLinger.milliseconds))
                    if await flowHasWork() { continue }
                    await endFlowSteps()
                    continue
                }
                await wakeup.wait(upTo: await flowSleep(sleepDuration(now: now)))
                continue
            }
            await endFlowSteps()
            await pass(keys)
            metrics.recordQueue(depth: queue.depth, inFlight: 0)
        }
        await endFlowSteps()
        status.update { $0.finished = true }
        log.info("reconcile loop stopped")
    }

    nonisolated func markProgress() {
        let now = MonotonicClock().now().millisecondsSinceEpoch
        status.update { $0.lastProgress = now }
    }

    /// The keys due now, marked in flight.
    func takeDue(now: Instant) -> [ResourceID] { queue.take(now: now) }

    /// Periodic, level-triggered looks: every fleet and pool each observe interval, each
    /// unfinished pool each task interval.
    func scheduleObservation(now: Instant) async {
        guard let desired else { return }
        // A workflow's schedule wakes the loop when it comes due (wall time, converted to the
        // monotonic schedule), so a cron run starts on time, not at the next periodic look.
        let wallNow = clock.now()
        for workflow in desired.workflows.values {
            guard let next = workflow.trigger.schedule?.next(after: wallNow) else { continue }
            let key = ResourceID(.workflow, workflow.name)
            if !queue.isWaiting(key) {
                queue.add(key, at: now.adding(ConfigDuration(milliseconds: next.millisecondsSinceEpoch - wallNow.millisecondsSinceEpoch)))
            }
        }
        if nextObservation.map({ now >= $0 }) ?? true {
            // Every fleet and pool, finished pools included (a `tasks requeue` from the CLI
            // is seen here), and what is still held of removed ones.
            for key in desired.reconcileKeys.union(undeclaredKeys) { queue.add(key, .resync, now: now) }
            nextObservation = now.adding(options.observeInterval)
            nextTaskCheck = now.adding(options.taskInterval)
            return
        }
        if nextTaskCheck.map({ now >= $0 }) ?? true {
            // The state is read first: other calls may run on the actor while this waits, so
            // what is decided below uses the actor's state as it is after the reads.
            // A worker's expired lease is ended here and announced like any other end (a look
            // at a large pull pool costs more than its steps).
            if flowPools.contains(where: { desired.pools[$0]?.mode == .pull }) { await announceExpiredLeases() }
            // A running workflow run is looked at as often as an unfinished pool, so its steps
            // end (and the next ones start) within a task interval, not an observe interval.
            let running = Set(((try? await store.workflowRuns(runningOnly: true)) ?? []).map(\.workflow))
            let current = self.desired ?? desired
            let unfinished = Set((status.current.report?.rows ?? []).filter { $0.id.kind == .taskPool && $0.sync != .synced }.map(\.id.name))
            // Pools moving on attempt ends are left to them (and to the observe interval's look),
            // but for a deadline, which only a look finds.
            let looked = Set(flowPools.filter { name in current.pools[name].map { $0.deadline == nil } ?? false })
            for name in current.pools.keys where (unfinished.contains(name) || status.current.report == nil) && !looked.contains(name) {
                queue.add(ResourceID(.taskPool, name), .resync, now: now)
            }
            for name in running where current.workflows[name] != nil {
                queue.add(ResourceID(.workflow, name), .resync, now: now)
            }
            nextTaskCheck = now.adding(options.taskInterval)
        }
    }

    /// Ends the leases whose workers stopped answering and announces them: the flow settles
    /// them (a timeout, counted) and offers what their slots allow.
    func announceExpiredLeases() async {
        do {
            let expired = try await store.endExpiredLeases(at: clock.now())
            reconciler.attemptEnds.post(expired.map { lease in
                ObservedAttempt(scheduler: TaskPoolSpec.pullScheduler, task: lease.task, attempt: lease.attempt,
                                jobID: lease.worker.map { "lease:\($0)" } ?? "offered", outcome: lease.outcome)
            })
        } catch {
            log.warning("cannot end expired leases; the next look does", [("error", "\(error)")])
        }
    }

    func sleepDuration(now: Instant) -> Duration? {
        let candidates = [queue.nextDue, desired == nil ? nil : nextObservation, desired == nil ? nil : nextTaskCheck].compactMap { $0 }
        guard let next = candidates.min() else { return nil }
        return .milliseconds(max(1, next.millisecondsSinceEpoch - now.millisecondsSinceEpoch))
    }
}

extension ResourceID {
    /// Fleets and pools are what the daemon reconciles by key.
    var isReconcileKey: Bool { kind == .fleet || kind == .taskPool || kind == .workflow }
}
