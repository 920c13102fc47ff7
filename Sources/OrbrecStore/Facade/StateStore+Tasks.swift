public import OrbrecCore

extension StateStore {
    public func tasks(pool: String? = nil) async throws -> [TaskRecord] {
        try await backend.tasks(pool: pool)
    }

    /// Every task, as `tasks()` orders them, read and decoded again only for the pools whose
    /// generation moved since this store last read them: a pass over a state with a large
    /// finished pool costs what changed, not the pool.
    public func taskStatuses() async throws -> [TaskStatus] {
        try await backend.taskStatuses()
    }

    /// One task, by its identity.
    public func task(pool: String, key: String) async throws -> TaskRecord? {
        try await backend.task(pool: pool, key: key)
    }

    public func attempts(pool: String, key: String? = nil) async throws -> [AttemptRecord] {
        try await backend.attempts(pool: pool, key: key)
    }

    /// When each pool's first attempt was journaled, for pool deadlines.
    public func poolStartTimes() async throws -> [String: Instant] {
        try await backend.poolStartTimes()
    }

    /// Journals attempts before the scheduler is asked to start them: the action becomes
    /// `issuing`, each task `running` with its new attempt number, each attempt `submitting`.
    public func markSubmitting(actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) async throws {
        try await backend.markSubmitting(actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, at: now)
    }

    /// Records the scheduler's job ids for started attempts.
    public func markSubmitted(pool: String, started: [(key: String, attempt: Int, jobID: String)], at now: Instant) async throws {
        try await backend.markSubmitted(pool: pool, started: started, at: now)
    }

    /// Records how an attempt ended and what that did to its task (the lifecycle's transition).
    public func settle(_ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?, at now: Instant) async throws {
        try await backend.settle(transition, attempt: attempt, outcome: outcome, jobID: jobID, at: now)
    }

    /// Records many settlements in one durable transaction: a pass that sees a thousand
    /// attempts end commits once, not a thousand times.
    public func settle(_ settlements: [Settlement], at now: Instant) async throws {
        try await backend.settle(settlements, at: now)
    }

    /// Sets tasks' states by an operator or the planner (requeue, cancel, dead-letter), with an event each.
    public func setTasks(_ statuses: [TaskStatus], cause: String, at now: Instant) async throws {
        try await backend.setTasks(statuses, cause: cause, at: now)
    }

    /// Marks an action that calls no adapter before any state change (cancel, dead-letter).
    public func markIssuingWithoutRequest(actionID: String, at now: Instant) async throws {
        try await backend.markIssuingWithoutRequest(actionID: actionID, at: now)
    }

    /// Closes the open attempts (submitting or running) of cancelled tasks.
    public func markAttemptsCancelled(pool: String, keys: [String], at now: Instant) async throws {
        try await backend.markAttemptsCancelled(pool: pool, keys: keys, at: now)
    }

    /// Attempts journaled as submitting or running: what a plan without refresh takes as running.
    public func openAttempts() async throws -> [AttemptRecord] {
        try await backend.openAttempts()
    }

    /// The open attempts (submitting or running) with their jobs, through the partial index:
    /// what observation asks the schedulers about.
    public func openAttemptHandles() async throws -> [AttemptHandle] {
        try await backend.openAttemptHandles()
    }

    /// How one attempt ended and what that did to its task (the lifecycle's transition).
    public struct Settlement: Sendable {
        public var transition: TaskLifecycle.Transition
        public var attempt: Int
        public var outcome: AttemptOutcome
        public var jobID: String?

        public init(transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?) {
            self.transition = transition
            self.attempt = attempt
            self.outcome = outcome
            self.jobID = jobID
        }
    }
}
