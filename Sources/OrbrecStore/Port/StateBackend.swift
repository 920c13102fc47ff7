package import OrbrecCore
package import Foundation

/// What a state backend does: the store's operations, each one transaction, every one
/// `async` (a network database answers only asynchronously). `StateStore` is the façade the
/// rest of orbrec uses; it forwards here. `SQLiteBackend` is the only backend today.
package protocol StateBackend: AnyObject, Sendable {
    /// This state's identity: the owner tag every machine and job carries.
    var stateID: String { get }
    /// Where the state is: a file path, or a PostgreSQL URL without its password.
    var path: String { get }
    /// Lets go of what the backend holds open (a connection pool); the store is not used after.
    func close() async
    /// How daemons sharing this state elect one leader; nil for a state only one daemon may
    /// use (a file, guarded by a file lock).
    var election: (any LeaderElectionBackend)? { get }
    /// What other processes changed, as it happens; a state file's stream ends at once (its
    /// readers poll).
    func changes() -> AsyncStream<StateChange>
    /// Where this process keeps task outputs (`host:directory`), recorded with each attempt it starts.
    func setOutputLocation(_ location: String?)
    /// From now on, every journal write of this process checks, in its transaction, that the
    /// state lock `id` is still its own (nil: writes are not checked); one that finds it
    /// taken over throws `LockLost`, writing nothing.
    func fenceLock(_ id: String?)

    // Copy (StateTable: a state moved between backends, and looked at whole)
    /// Every row of every table `StateTables.copied` names, in one consistent read.
    func exportState() async throws -> [StateTable]
    /// Writes `tables` into this state in one transaction, the state id among them; throws
    /// `StateCopyRefused`, writing nothing, unless this state holds nothing but its id.
    /// Columns this backend does not have are dropped.
    func importState(_ tables: [StateTable]) async throws
    /// How many rows each table of `StateTables.copied` holds, in one consistent read.
    func rowCounts() async throws -> [String: Int]
    /// The last migration applied to this state's schema.
    func schemaVersion() async throws -> String
    /// Writes a copy of this state to a new SQLite state file at `path`, which must not exist.
    func backup(toFile path: String) async throws

    // Events
    @discardableResult
    func recordEvent(resource: String, subject: String, from: String?, to: String, cause: String, at now: Instant) async throws -> Int64?
    func lastEventSeq() async throws -> Int64
    func machineCounts() async throws -> [String: Int]
    func taskCounts() async throws -> [String: Int]
    func policyOverrides(limit: Int) async throws -> [EventRecord]
    func policyOverrideKeys(revision: String) async throws -> Set<String>

    // Flow
    func recordStep(started: [StateStore.StartedAttempt], finished: [StateStore.FinishedAction],
                    settlements: [StateStore.Settlement], submits: [StateStore.StepSubmit], at now: Instant) async throws
    func runningTasks(_ ids: [TaskID]) async throws -> [TaskID: TaskStatus]
    func othersChangeCounter() async throws -> Int

    // Journal
    func recordIntent(_ actions: [ActionRecord], causedBy steps: [String: (run: String, step: String)]) async throws
    func markIssuing(actionID: String, requests: [RequestIntent], newMachines: [MachineRecord], returningMachines: [String],
                     at now: Instant) async throws
    func finishRequest(id requestID: String, status: RequestStatus, message: String, machineUpdates: [MachineUpdate],
                       at now: Instant) async throws
    func finishAction(id actionID: String, state: ActionRecord.State, error: String?, at now: Instant) async throws
    func cancelPlannedActions(reason: String, at now: Instant) async throws
    func interruptedActions() async throws -> [ActionRecord]
    func requests(ofAction actionID: String) async throws -> [RequestRecord]
    func actions(resource: ResourceID?, limit: Int?) async throws -> [ActionRecord]
    func action(id: String) async throws -> ActionRecord?
    func events(after seq: Int64, limit: Int) async throws -> [EventRecord]

    // Leases
    func offerLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws
    func claimLease(pool: String, worker: String, machine: String?, lease: ConfigDuration, token: String, idempotencyKey: String?,
                    at now: Instant) async throws -> LeaseRecord?
    func heartbeatLease(token: String, lease: ConfigDuration?, at now: Instant) async throws -> LeaseRecord
    func endLease(token: String, outcome: AttemptOutcome, reason: String?, result: String?, at now: Instant) async throws -> LeaseRecord
    func endExpiredLeases(at now: Instant) async throws -> [LeaseRecord]
    @discardableResult
    func revokeLeases(onMachines machines: [String], reason: String, at now: Instant) async throws -> Int
    @discardableResult
    func cancelLeases(pool: String, attempts: [(key: String, attempt: Int)], at now: Instant) async throws -> Set<String>
    func leases(pool: String?, at now: Instant) async throws -> [LeaseRecord]
    func currentLease(pool: String, key: String) async throws -> LeaseRecord?
    func lease(token: String) async throws -> LeaseRecord?
    func idempotentAnswer(key: String) async throws -> (fingerprint: String, status: Int, body: Data)?
    func reserveIdempotencyKey(_ key: String, fingerprint: String, at now: Instant) async throws -> IdempotencyReservation
    func recordIdempotentAnswer(key: String, status: Int, body: Data) async throws
    func dropIdempotencyKey(_ key: String) async throws
    func retakeIdempotencyKey(_ key: String, at now: Instant) async throws
    @discardableResult
    func renewLeasesAfterRestart(at now: Instant) async throws -> Int
    func pruneIdempotentAnswers(olderThan age: ConfigDuration, at now: Instant) async throws

    // Lock
    func tryLock(_ lock: LockRecord, isStale: @Sendable (LockRecord) -> Bool) async throws -> LockRecord?
    func renewLock(id: String, at now: Instant) async throws -> Bool
    func unlock(id: String) async throws
    func currentLock() async throws -> LockRecord?
    func forceUnlock(id: String, at now: Instant) async throws -> Bool

    // Machines
    func activeMachines() async throws -> [MachineRecord]
    func machines(includeFinished: Bool) async throws -> [MachineRecord]
    func machine(id: String) async throws -> MachineRecord?
    func knownMachineIDs(among ids: [String]) async throws -> Set<String>
    func syncMachines(observed: [ObservedMachine], unreachableProviders: Set<String>, at now: Instant) async throws

    // RecentEvents
    func recentEvents(resource: String, limit: Int) async throws -> [EventRecord]
    func recentEvents(subject: String, limit: Int) async throws -> [EventRecord]

    // Requests
    func recordDemand(_ demand: MachineDemand, idempotencyKey: String?, at now: Instant) async throws -> (MachineDemand, created: Bool)
    func demands(openOnly: Bool) async throws -> [MachineDemand]
    func demand(id: String) async throws -> MachineDemand?
    func demand(idempotencyKey: String) async throws -> MachineDemand?
    func closeDemands(ids: [String]?, cause: String, at now: Instant) async throws -> [String]
    func recordReturn(id: String, machines: [String], reason: MachineReturnRecord.Reason, actor: String, at now: Instant) async throws -> [String]
    func recordReturnAdoptingReclaimed(id: String, machines: [String], actor: String, at now: Instant) async throws -> [String]
    func machineReturns(id: String?, demand: String?, machines: [String]?) async throws -> [MachineReturnRecord]
    func pendingReturns() async throws -> Set<String>
    func requests(limit: Int?) async throws -> [RequestRecord]
    func request(id: String) async throws -> (RequestRecord, [RequestMachineRecord])?
    func requestMachines(requestID: String) async throws -> [RequestMachineRecord]

    // Resources
    func resources() async throws -> [ResourceRecord]
    func knownResources() async throws -> [KnownResource]
    func recordApplied(_ desired: DesiredState, versions: [ResourceID: String], conditions: [ResourceID: [Condition]],
                       forget: [ResourceID], at now: Instant) async throws
    func appliedSchedulers() async throws -> [SchedulerSpec]
    func appliedProviders() async throws -> [ProviderSpec]

    // Tasks
    func tasks(pool: String?) async throws -> [TaskRecord]
    func taskStatuses() async throws -> [TaskStatus]
    func task(pool: String, key: String) async throws -> TaskRecord?
    func attempts(pool: String, key: String?) async throws -> [AttemptRecord]
    func poolStartTimes() async throws -> [String: Instant]
    func markSubmitting(actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) async throws
    func markSubmitted(pool: String, started: [(key: String, attempt: Int, jobID: String)], at now: Instant) async throws
    func settle(_ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?, at now: Instant) async throws
    func settle(_ settlements: [StateStore.Settlement], at now: Instant) async throws
    func setTasks(_ statuses: [TaskStatus], cause: String, at now: Instant) async throws
    func markIssuingWithoutRequest(actionID: String, at now: Instant) async throws
    func markAttemptsCancelled(pool: String, keys: [String], at now: Instant) async throws
    func openAttempts() async throws -> [AttemptRecord]
    func openAttemptHandles() async throws -> [AttemptHandle]

    // TemplateHistory
    func recordTemplateHistory(_ templates: [TemplateSpec], at now: Instant) async throws
    func templateHistory() async throws -> [String: [String: String]]

    // API tasks
    func recordAPITask(_ task: APITask, idempotencyKey: String?, at now: Instant) async throws -> APITaskJournaled
    func apiTasks(pools: [String]) async throws -> [APITask]
    func apiTask(pool: String, key: String) async throws -> APITaskEntry?
    func apiTaskPage(pool: String, state: TaskState?, after: Int64?, limit: Int) async throws -> [APITaskEntry]
    func requestAPITaskCancel(pool: String, key: String, actor: String, at now: Instant) async throws -> APITaskEntry?

    // Workflows
    func startWorkflowRun(_ run: WorkflowRun, reason: String, cancelling: [String], at now: Instant) async throws
    func startWorkflowRun(_ run: WorkflowRun, reason: String, concurrency: WorkflowSpec.Concurrency, idempotencyKey: String?,
                          at now: Instant) async throws -> WorkflowRunAdmission
    func recordWorkflowProgress(_ run: WorkflowRun, _ progress: WorkflowProgress, at now: Instant) async throws
    @discardableResult
    func cancelWorkflowRun(id: String, reason: String, at now: Instant) async throws -> Bool
    func workflowRuns(workflow: String?, runningOnly: Bool) async throws -> [WorkflowRun]
    func workflowRun(id: String) async throws -> (run: WorkflowRun, reason: String)?
    func workflowFirstSeen(_ workflow: String) async throws -> Instant?
    func workflowFirstSeen(_ workflow: String, orRecord now: Instant) async throws -> Instant
    func workflowStepRequests(runID: String) async throws -> [String: [RequestRecord]]
}
