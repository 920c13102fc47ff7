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
        var states = try await PostgresTaskSQL.states(tx, attempts.map { TaskID(pool: pool, key: $0.key) })
        let starts = appendStartEvents(tx, actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, states: &states, at: now)
        try await PostgresTaskSQL.startAttempts(tx, starts, outputLocation: outputLocation.withLock { $0 }, at: now.millisecondsSinceEpoch)
    }

    /// The event of each task an action starts an attempt of (`running`), in order, with the
    /// attempts to write (`PostgresTaskSQL.startAttempts`).
    func appendStartEvents(_ tx: StateTransaction, actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef],
                           states: inout PostgresTaskSQL.TaskStates, at now: Instant) -> [PostgresTaskSQL.Start] {
        let resource = ResourceID(.taskPool, pool).description
        return attempts.map { ref in
            let task = TaskID(pool: pool, key: ref.key), running = TaskState.running.rawValue
            tx.appendEvent(at: now, resource: resource, subject: "task/\(pool)/\(ref.key)", from: states.change(task, to: running),
                           to: running, cause: "attempt \(ref.attempt) by \(actionID)")
            return PostgresTaskSQL.Start(task: task, attempt: ref.attempt, actionID: actionID, scheduler: scheduler)
        }
    }

    /// Records the scheduler's job ids for started attempts.
    package func markSubmitted(pool: String, started: [(key: String, attempt: Int, jobID: String)], at now: Instant) async throws {
        try await write { tx in
            try await PostgresTaskSQL.markSubmitted(tx, started.map { (TaskID(pool: pool, key: $0.key), $0.attempt, $0.jobID) },
                                                    at: now.millisecondsSinceEpoch)
        }
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
            var states = try await PostgresTaskSQL.states(tx, settlements.map(\.transition.task.id))
            try await settle(tx, settlements, states: &states, at: now)
        }
    }

    /// Settlements inside a write, an event each, `states` holding at least their tasks.
    func settle(_ tx: StateTransaction, _ settlements: [StateStore.Settlement], states: inout PostgresTaskSQL.TaskStates,
                at now: Instant) async throws {
        for settlement in settlements {
            let task = settlement.transition.task, state = task.state.rawValue
            tx.appendEvent(at: now, resource: ResourceID(.taskPool, task.pool).description, subject: "task/\(task.pool)/\(task.key)",
                           from: states.change(task.id, to: state), to: state, cause: settlement.transition.cause)
        }
        try await PostgresTaskSQL.settle(tx, settlements, at: now.millisecondsSinceEpoch)
    }

    /// Sets tasks' states by an operator or the planner (requeue, cancel, dead-letter), with an
    /// event each that changes a state.
    package func setTasks(_ statuses: [TaskStatus], cause: String, at now: Instant) async throws {
        try await write { tx in
            var states = try await PostgresTaskSQL.states(tx, statuses.map(\.id))
            for status in statuses {
                let from = states.change(status.id, to: status.state.rawValue)
                if from != status.state.rawValue {
                    tx.appendEvent(at: now, resource: ResourceID(.taskPool, status.pool).description, subject: "task/\(status.pool)/\(status.key)",
                                   from: from, to: status.state.rawValue, cause: cause)
                }
            }
            for round in PostgresTaskSQL.rounds(statuses, task: \.id) {
                try await PostgresTaskSQL.saveTasks(tx, round.map { ($0, $0.lastOutcome.map { Self.encodeJSON($0) }) },
                                                    at: now.millisecondsSinceEpoch)
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
