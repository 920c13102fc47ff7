public import OrbrecCore

extension StateStore {
    /// One step of the event-driven path in one durable transaction (group commit): the jobs
    /// of the attempts the previous step started and the end of its actions, the ends just
    /// announced, and the intent of the attempts about to start (action `issuing`, tasks
    /// `running`, attempts `submitting`). Nothing of `submits` may start before this returns.
    public func recordStep(started: [StartedAttempt], finished: [FinishedAction], settlements: [Settlement],
                           submits: [StepSubmit], at now: Instant) async throws {
        try await backend.recordStep(started: started, finished: finished, settlements: settlements, submits: submits, at: now)
    }

    /// The journal's tasks of `ids` that are running, by identity.
    public func runningTasks(_ ids: [TaskID]) async throws -> [TaskID: TaskStatus] {
        try await backend.runningTasks(ids)
    }

    /// A number that changes whenever another connection (another orbrec process) commits to
    /// the state: what lets a daemon tell whether the journal changed under it while it did
    /// not hold the lock. Its own commits leave it as it was.
    public func othersChangeCounter() async throws -> Int {
        try await backend.othersChangeCounter()
    }

    /// An attempt a step started, with the job the scheduler gave it.
    public struct StartedAttempt: Sendable, Hashable {
        public var pool: String
        public var key: String
        public var attempt: Int
        public var jobID: String

        public init(pool: String, key: String, attempt: Int, jobID: String) {
            self.pool = pool
            self.key = key
            self.attempt = attempt
            self.jobID = jobID
        }
    }

    /// An action a step carried out, with how it ended (`error` nil: succeeded).
    public struct FinishedAction: Sendable {
        public var id: String
        public var resource: String
        public var reason: String
        public var error: String?

        public init(id: String, resource: String, reason: String, error: String?) {
            self.id = id
            self.resource = resource
            self.reason = reason
            self.error = error
        }
    }

    /// An action a step carries out: attempts of one pool to start on its scheduler.
    public struct StepSubmit: Sendable {
        public var action: ActionRecord
        public var scheduler: String
        public var attempts: [TaskAttemptRef]

        public init(action: ActionRecord, scheduler: String, attempts: [TaskAttemptRef]) {
            self.action = action
            self.scheduler = scheduler
            self.attempts = attempts
        }
    }
}
