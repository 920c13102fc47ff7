internal import Foundation
package import OrbrecCore
package import OrbrecStore
internal import PostgresNIO
internal import Synchronization

extension PostgresBackend {
    package func tasks(pool: String? = nil) async throws -> [TaskRecord] {
        try await read { tx in
            if let pool {
                return try await tx.fetchAll(TaskRecord.self, "SELECT * FROM tasks WHERE pool = \(pool) ORDER BY pool, key")
            }
            return try await tx.fetchAll(TaskRecord.self, "SELECT * FROM tasks ORDER BY pool, key")
        }
    }

    /// Every task, as `tasks()` orders them. SQLite keeps the pools it read last by
    /// generation; here every pass reads them all, one statement decoded by column.
    package func taskStatuses() async throws -> [TaskStatus] {
        try await read { tx in
            let rows = try await tx.rows("SELECT \(unescaped: PostgresTaskSQL.statusColumns) FROM tasks ORDER BY pool, key")
            let outcomes = JSONDecoder()
            return try rows.map { try PostgresTaskSQL.status($0, outcomes: outcomes) }
        }
    }

    /// One task, by its identity.
    package func task(pool: String, key: String) async throws -> TaskRecord? {
        try await read { tx in try await tx.fetchOne(TaskRecord.self, "SELECT * FROM tasks WHERE pool = \(pool) AND key = \(key)") }
    }

    package func attempts(pool: String, key: String? = nil) async throws -> [AttemptRecord] {
        try await read { tx in
            if let key {
                return try await tx.fetchAll(AttemptRecord.self, """
                    SELECT * FROM attempts WHERE pool = \(pool) AND key = \(key) ORDER BY key, attempt
                    """)
            }
            return try await tx.fetchAll(AttemptRecord.self, "SELECT * FROM attempts WHERE pool = \(pool) ORDER BY key, attempt")
        }
    }

    /// When each pool's first attempt was journaled, for pool deadlines.
    package func poolStartTimes() async throws -> [String: Instant] {
        try await read { tx in
            let rows = try await tx.rows("SELECT pool, MIN(created_at) AS started FROM attempts GROUP BY pool")
            return Dictionary(uniqueKeysWithValues: try rows.map {
                let (pool, started) = try $0.decode((String, Int64).self)
                return (pool, Instant(millisecondsSinceEpoch: started))
            })
        }
    }

    /// Journals attempts before the scheduler is asked to start them: the action becomes
    /// `issuing`, each task `running` with its new attempt number, each attempt `submitting`.
    package func markSubmitting(actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) async throws {
        try await write { tx in try await markSubmitting(tx, actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, at: now) }
    }

    func markSubmitting(_ tx: StateTransaction, actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef],
                        at now: Instant) async throws {
        try await transition(tx, actionID: actionID, to: .issuing, error: nil, at: now, requestID: nil)
        try await startAttempts(tx, actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, at: now)
    }

    /// Each task `running` with its new attempt number, each attempt `submitting`, an event each.
    func startAttempts(_ tx: StateTransaction, actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef],
                       at now: Instant) async throws {
        let at = now.millisecondsSinceEpoch
        let resource = ResourceID(.taskPool, pool).description
        for ref in attempts {
            let existing = try await PostgresTaskSQL.current(tx, pool: pool, key: ref.key)
            let status = TaskStatus(pool: pool, key: ref.key, state: .running, attemptsStarted: ref.attempt,
                                    attemptsConsumed: existing?.attemptsConsumed ?? 0, nextTryAt: nil, lastOutcome: nil,
                                    infraLosses: existing?.infraLosses ?? 0)
            // The last outcome stays as the journal holds it, not decoded and encoded again.
            try await PostgresTaskSQL.save(tx, status, lastOutcome: existing?.lastOutcome, createdAt: existing?.createdAt ?? at, updatedAt: at)
            try await PostgresTaskSQL.insertAttempt(tx, pool: pool, key: ref.key, attempt: ref.attempt, scheduler: scheduler,
                                                    actionID: actionID, outputLocation: outputLocation.withLock { $0 }, at: at)
            tx.appendEvent(at: now, resource: resource, subject: "task/\(pool)/\(ref.key)", from: existing?.state,
                           to: TaskState.running.rawValue, cause: "attempt \(ref.attempt) by \(actionID)")
        }
    }

    /// Records the scheduler's job ids for started attempts.
    package func markSubmitted(pool: String, started: [(key: String, attempt: Int, jobID: String)], at now: Instant) async throws {
        try await write { tx in
            for item in started { try await markSubmitted(tx, pool: pool, key: item.key, attempt: item.attempt, jobID: item.jobID, at: now) }
        }
    }

    func markSubmitted(_ tx: StateTransaction, pool: String, key: String, attempt: Int, jobID: String, at now: Instant) async throws {
        // A pull worker may have claimed the attempt already: its `lease:worker` job stays.
        try await tx.execute("""
            UPDATE attempts SET state = \(AttemptRecord.State.running.rawValue),
                job_id = CASE WHEN job_id LIKE 'lease:%' THEN job_id ELSE \(jobID) END,
                started_at = COALESCE(started_at, \(now.millisecondsSinceEpoch))
            WHERE pool = \(pool) AND key = \(key) AND attempt = \(attempt) AND state = \(AttemptRecord.State.submitting.rawValue)
            """)
    }

    /// Records how an attempt ended and what that did to its task (the lifecycle's transition).
    package func settle(_ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?, at now: Instant) async throws {
        try await settle([StateStore.Settlement(transition: transition, attempt: attempt, outcome: outcome, jobID: jobID)], at: now)
    }

    /// Records many settlements in one transaction: a pass that sees a thousand attempts end
    /// commits once, not a thousand times.
    package func settle(_ settlements: [StateStore.Settlement], at now: Instant) async throws {
        guard !settlements.isEmpty else { return }
        try await write { tx in
            for settlement in settlements {
                try await settle(tx, settlement.transition, attempt: settlement.attempt, outcome: settlement.outcome,
                                 jobID: settlement.jobID, at: now)
            }
        }
    }

    func settle(_ tx: StateTransaction, _ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?,
                at now: Instant) async throws {
        let task = transition.task
        let at = now.millisecondsSinceEpoch
        let existing = try await PostgresTaskSQL.current(tx, pool: task.pool, key: task.key)
        try await PostgresTaskSQL.save(tx, task, lastOutcome: task.lastOutcome.map { Self.encodeJSON($0) },
                                       createdAt: existing?.createdAt ?? at, updatedAt: at)
        try await PostgresTaskSQL.endAttempt(tx, pool: task.pool, key: task.key, attempt: attempt, outcome: outcome, jobID: jobID, at: at)
        tx.appendEvent(at: now, resource: ResourceID(.taskPool, task.pool).description, subject: "task/\(task.pool)/\(task.key)",
                       from: existing?.state, to: task.state.rawValue, cause: transition.cause)
    }

    /// Sets tasks' states by an operator or the planner (requeue, cancel, dead-letter), with an
    /// event each that changes a state.
    package func setTasks(_ statuses: [TaskStatus], cause: String, at now: Instant) async throws {
        let at = now.millisecondsSinceEpoch
        try await write { tx in
            for status in statuses {
                let existing = try await PostgresTaskSQL.current(tx, pool: status.pool, key: status.key)
                try await PostgresTaskSQL.save(tx, status, lastOutcome: status.lastOutcome.map { Self.encodeJSON($0) },
                                               createdAt: existing?.createdAt ?? at, updatedAt: at)
                if existing?.state != status.state.rawValue {
                    tx.appendEvent(at: now, resource: ResourceID(.taskPool, status.pool).description, subject: "task/\(status.pool)/\(status.key)",
                                   from: existing?.state, to: status.state.rawValue, cause: cause)
                }
            }
        }
    }

    /// Marks an action that calls no adapter before any state change (cancel, dead-letter).
    package func markIssuingWithoutRequest(actionID: String, at now: Instant) async throws {
        try await write { tx in try await transition(tx, actionID: actionID, to: .issuing, error: nil, at: now, requestID: nil) }
    }

    /// Closes the open attempts (submitting or running) of cancelled tasks.
    package func markAttemptsCancelled(pool: String, keys: [String], at now: Instant) async throws {
        try await write { tx in
            try await tx.execute("""
                UPDATE attempts SET state = \(AttemptRecord.State.cancelled.rawValue), ended_at = \(now.millisecondsSinceEpoch)
                WHERE pool = \(pool) AND key = ANY(\(keys))
                  AND state IN (\(AttemptRecord.State.submitting.rawValue), \(AttemptRecord.State.running.rawValue))
                """)
        }
    }

    /// Attempts journaled as submitting or running: what a plan without refresh takes as running.
    package func openAttempts() async throws -> [AttemptRecord] {
        try await read { tx in
            try await tx.fetchAll(AttemptRecord.self, "SELECT * FROM attempts WHERE state IN ('submitting', 'running')")
        }
    }

    /// The open attempts (submitting or running) with their jobs, through the partial index:
    /// what observation asks the schedulers about.
    package func openAttemptHandles() async throws -> [AttemptHandle] {
        try await read { tx in
            let rows = try await tx.rows("SELECT scheduler, pool, key, attempt, job_id FROM attempts WHERE state IN ('submitting', 'running')")
            return try rows.map {
                let (scheduler, pool, key, attempt, jobID) = try $0.decode((String, String, String, Int, String?).self)
                return AttemptHandle(scheduler: scheduler, task: TaskID(pool: pool, key: key), attempt: attempt, jobID: jobID)
            }
        }
    }
}
