public import OrbrecCore
public import OrbrecStore

/// A named point in the engine's work, for crash tests.
public typealias Checkpoint = @Sendable (String) -> Void

/// The engine's front: observe, plan, execute, converge. It knows providers only through
/// the `Provider` port and the state only through `StateStore`.
public final class Reconciler: Sendable {
    let store: StateStore
    let factory: ProviderFactory
    let schedulerFactory: SchedulerFactory
    let clock: any Clock
    /// Who acts (`user@host`), written on every journaled action.
    let actor: String
    /// Called with a name at each step where a crash would matter; tests use it to stop the
    /// process at exactly that point (see `ORBREC_FAILPOINT`).
    let checkpoint: Checkpoint
    /// Where schedulers announce ended attempts (the same hub the executable gives them).
    let attemptEnds: AttemptEnds

    public init(store: StateStore, providerFactory: @escaping ProviderFactory,
                schedulerFactory: @escaping SchedulerFactory = { _ in nil }, clock: any Clock = SystemClock(), actor: String,
                checkpoint: @escaping Checkpoint = { _ in }, attemptEnds: AttemptEnds = AttemptEnds()) {
        self.attemptEnds = attemptEnds
        self.store = store
        self.factory = providerFactory
        self.schedulerFactory = schedulerFactory
        self.clock = clock
        self.actor = actor
        self.checkpoint = checkpoint
    }

    func registry(for desired: DesiredState) async throws -> ProviderRegistry {
        ProviderRegistry(desired: desired, applied: try await store.appliedProviders(), factory: factory)
    }

    func schedulers(for desired: DesiredState) async throws -> SchedulerRegistry {
        SchedulerRegistry(desired: desired, applied: try await store.appliedSchedulers(), factory: schedulerFactory)
    }

    /// Reads the world. With `refresh: false` the journal's records stand in for the
    /// providers' answers (like `terraform plan -refresh=false`). With `sync: true` what was
    /// observed is written back to the journal (lost machines, adopted machines).
    ///
    /// The desired state is the configuration with what running workflow runs add (their
    /// fleet counts and pools). With `sync: true`, due runs are started and running ones moved
    /// on from what was observed, and the snapshot's desired state includes the result.
    public func snapshot(of configured: DesiredState, refresh: Bool = true, sync: Bool = false) async throws -> Snapshot {
        var desired = try await effectiveDesired(configured)
        var recorded = try await store.activeMachines()
        var tasks = try await store.taskStatuses()
        var observed: ObservedState
        if refresh {
            observed = await observe(try registry(for: desired), recorded: recorded)
            let open = try await store.openAttemptHandles()
            let (attempts, unreachable) = await observeAttempts(try schedulers(for: desired), open: open)
            observed.attempts = attempts
            observed.unreachableSchedulers = unreachable
            if sync {
                try await store.syncMachines(observed: observed.machines, unreachableProviders: Set(observed.unreachableProviders.keys),
                                             at: clock.now())
                if try await settleDemands() { desired = try await effectiveDesired(configured) }
                recorded = try await store.activeMachines()
                try await settleTasks(tasks, desired: desired, observed: observed, open: open)
                tasks = try await store.taskStatuses()
            }
        } else {
            observed = ObservedState(machines: recorded.filter { $0.state.isHeld }.map {
                ObservedMachine(id: $0.id, fleet: $0.fleet, template: $0.template, templateHash: $0.templateHash,
                                provider: $0.provider, providerID: $0.providerId ?? "", actionID: $0.actionId,
                                state: $0.state == .terminating ? .running : $0.state, createdAt: $0.createdAt, message: $0.message)
            }, attempts: try await store.openAttempts().map {
                ObservedAttempt(scheduler: $0.scheduler, task: TaskID(pool: $0.pool, key: $0.key), attempt: $0.attempt, jobID: $0.jobId ?? "")
            })
        }
        var snapshot = Snapshot(desired: desired, observed: observed, recorded: recorded, known: try await store.knownResources(),
                                tasks: tasks, poolStartedAt: try await store.poolStartTimes(), now: clock.now())
        snapshot.templateHistory = try await store.templateHistory()
        if refresh { snapshot.queues = await observeQueues(try schedulers(for: desired), desired: desired) }
        snapshot.configured = configured
        snapshot.refreshed = refresh
        // Also with no workflow left: a run of a removed workflow is cancelled here.
        let runsRunning = sync && refresh ? try await !store.workflowRuns(runningOnly: true).isEmpty : false
        if sync && refresh && (!configured.workflows.isEmpty || desired != configured || runsRunning) {
            snapshot.workflowNotes = try await advanceWorkflows(configured, snapshot: snapshot)
            if !snapshot.workflowNotes.isEmpty { snapshot.desired = try await effectiveDesired(configured) }
        }
        return snapshot
    }

    /// Plans from a snapshot and gives each action its id. Writes nothing.
    public func plan(_ snapshot: Snapshot, allowEmpty: Bool, surgery: PlanSurgery = PlanSurgery()) throws(PlanFailure) -> PlanResult {
        let plan = try Planner().plan(snapshot.planInput(allowEmpty: allowEmpty, surgery: surgery))
        let scheduled = plan.actions.map { ScheduledAction(id: Identifiers.action(), action: $0) }
        var result = PlanResult(plan: plan, scheduled: scheduled, snapshot: snapshot)
        result.policy = Self.checkPolicies(plan, snapshot: snapshot)
        return result
    }

    /// Records the configuration as applied, with each resource's version and conditions,
    /// and forgets removed resources that hold nothing any more. Answers the status report the
    /// conditions were taken from: the one `status` shows for the same snapshot and plan.
    @discardableResult
    public func recordApplied(_ snapshot: Snapshot, plan: Plan) async throws -> StatusReport {
        let report = try await statusReport(snapshot, plan: plan)
        let now = clock.now()
        var conditions: [ResourceID: [Condition]] = [:]
        for row in report.rows {
            conditions[row.id] = [
                Condition(type: "Synced", status: row.sync == .synced ? "True" : "False", reason: row.sync.rawValue,
                          message: row.message, observedGeneration: 0, lastTransitionTime: now),
                Condition(type: "Ready", status: row.health == .healthy ? "True" : "False", reason: row.health.rawValue,
                          message: row.message, observedGeneration: 0, lastTransitionTime: now),
            ]
        }
        let holding = Set(snapshot.machines.filter { $0.state != .returned }.map(\.fleet))
        let forget = snapshot.known.map(\.id).filter { id in
            switch id.kind {
            case .fleet: snapshot.desired.fleets[id.name] == nil && !holding.contains(id.name)
            case .template: snapshot.desired.templates[id.name] == nil
            case .taskPool:
                // Kept while a task of it is unfinished: its cancels may not have gone through yet.
                snapshot.desired.pools[id.name] == nil && !snapshot.tasks.contains { $0.pool == id.name && !$0.state.isFinished }
            case .scheduler:
                snapshot.desired.schedulers[id.name] == nil && !snapshot.tasks.contains { $0.state == .running }
            case .provider:
                snapshot.desired.providers[id.name] == nil && !snapshot.machines.contains { $0.provider == id.name && $0.state != .returned }
            default: false
            }
        }
        try await store.recordApplied(snapshot.desired, versions: plan.resourceVersions, conditions: conditions, forget: forget, at: now)
        return report
    }
}
