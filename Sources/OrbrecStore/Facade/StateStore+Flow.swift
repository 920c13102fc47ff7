public import OrbrecCore
internal import GRDB

extension StateStore {
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

    /// One step of the event-driven path in one durable transaction (group commit): the jobs
    /// of the attempts the previous step started and the end of its actions, the ends just
    /// announced, and the intent of the attempts about to start (action `issuing`, tasks
    /// `running`, attempts `submitting`). Nothing of `submits` may start before this returns.
    public func recordStep(started: [StartedAttempt], finished: [(id: String, error: String?)], settlements: [Settlement],
                           submits: [StepSubmit], at now: Instant) throws {
        guard !(started.isEmpty && finished.isEmpty && settlements.isEmpty && submits.isEmpty) else { return }
        try write { db in
            for item in started {
                try markSubmitted(db, pool: item.pool, key: item.key, attempt: item.attempt, jobID: item.jobID, at: now)
            }
            for (id, error) in finished {
                try transition(db, actionID: id, to: error == nil ? .succeeded : .failed, error: error, at: now, requestID: nil)
            }
            for settlement in settlements {
                try settle(db, settlement.transition, attempt: settlement.attempt, outcome: settlement.outcome, jobID: settlement.jobID, at: now)
            }
            for submit in submits {
                try submit.action.insert(db)
                try EventRecord(at: submit.action.createdAt, resource: submit.action.resource.description, subject: "action/\(submit.action.id)",
                                fromState: nil, toState: ActionRecord.State.planned.rawValue,
                                cause: "\(submit.action.verb.rawValue) \(submit.action.reason)").append(to: db)
                try markSubmitting(db, actionID: submit.action.id, scheduler: submit.scheduler, pool: submit.action.resource.name,
                                   attempts: submit.attempts, at: now)
            }
        }
    }

    /// The journal's tasks of `ids` that are running, by identity.
    public func runningTasks(_ ids: [TaskID]) throws -> [TaskID: TaskStatus] {
        try read { db in
            var found: [TaskID: TaskStatus] = [:]
            let statement = try db.cachedStatement(sql: "SELECT * FROM tasks WHERE pool = ? AND key = ? AND state = 'running'")
            for id in Set(ids) {
                if let record = try TaskRecord.fetchOne(statement, arguments: [id.pool, id.key]) { found[id] = record.status }
            }
            return found
        }
    }
}
