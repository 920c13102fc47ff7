package import OrbrecCore
internal import GRDB
internal import Synchronization

extension SQLiteBackend {
    package func tasks(pool: String? = nil) async throws -> [TaskRecord] {
        try await read { db in
            var request = TaskRecord.order(Column("pool"), Column("key"))
            if let pool { request = request.filter(Column("pool") == pool) }
            return try request.fetchAll(db)
        }
    }

    /// Every task, as `tasks()` orders them, read and decoded again only for the pools whose
    /// generation moved since this store last read them: a pass over a state with a large
    /// finished pool costs what changed, not the pool.
    package func taskStatuses() async throws -> [TaskStatus] {
        try await read { db in
            let generations = try Row.fetchAll(db, sql: "SELECT pool, generation FROM task_generations ORDER BY pool")
            var statuses: [TaskStatus] = []
            var kept: [String: TaskCache.Entry] = [:]
            let statement = try db.cachedStatement(sql: "SELECT * FROM tasks WHERE pool = ? ORDER BY key")
            for row in generations {
                let pool: String = row["pool"]
                let generation: Int64 = row["generation"]
                let entry: TaskCache.Entry
                if let cached = taskCache.entry(pool), cached.generation == generation {
                    entry = cached
                } else {
                    entry = TaskCache.Entry(generation: generation,
                                            statuses: try TaskRecord.fetchAll(statement, arguments: [pool]).map(\.status))
                }
                kept[pool] = entry
                statuses += entry.statuses
            }
            taskCache.replace(with: kept)
            return statuses
        }
    }

    /// One task, by its identity.
    package func task(pool: String, key: String) async throws -> TaskRecord? {
        try await read { db in try TaskRecord.filter(Column("pool") == pool && Column("key") == key).fetchOne(db) }
    }

    package func attempts(pool: String, key: String? = nil) async throws -> [AttemptRecord] {
        try await read { db in
            var request = AttemptRecord.filter(Column("pool") == pool).order(Column("key"), Column("attempt"))
            if let key { request = request.filter(Column("key") == key) }
            return try request.fetchAll(db)
        }
    }

    /// When each pool's first attempt was journaled, for pool deadlines.
    package func poolStartTimes() async throws -> [String: Instant] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT pool, MIN(created_at) AS started FROM attempts GROUP BY pool")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["pool"] as String, Instant(millisecondsSinceEpoch: $0["started"])) })
        }
    }

    /// Journals attempts before the scheduler is asked to start them: the action becomes
    /// `issuing`, each task `running` with its new attempt number, each attempt `submitting`.
    package func markSubmitting(actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) async throws {
        try await write { db in try markSubmitting(db, actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, at: now) }
    }

    func markSubmitting(_ db: Database, actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) throws {
        try transition(db, actionID: actionID, to: .issuing, error: nil, at: now, requestID: nil)
        try startAttempts(db, actionID: actionID, scheduler: scheduler, pool: pool, attempts: attempts, at: now)
    }

    /// Each task `running` with its new attempt number, each attempt `submitting`, an event each.
    func startAttempts(_ db: Database, actionID: String, scheduler: String, pool: String, attempts: [TaskAttemptRef], at now: Instant) throws {
        let at = now.millisecondsSinceEpoch
        let resource = ResourceID(.taskPool, pool).description
        for ref in attempts {
            let existing = try TaskSQL.current(db, pool: pool, key: ref.key)
            let status = TaskStatus(pool: pool, key: ref.key, state: .running, attemptsStarted: ref.attempt,
                                    attemptsConsumed: existing?.attemptsConsumed ?? 0, nextTryAt: nil, lastOutcome: nil,
                                    infraLosses: existing?.infraLosses ?? 0)
            // The last outcome stays as the journal holds it, not decoded and encoded again.
            try TaskSQL.save(db, status, lastOutcome: existing?.lastOutcome, createdAt: existing?.createdAt ?? at, updatedAt: at)
            try TaskSQL.insertAttempt(db, pool: pool, key: ref.key, attempt: ref.attempt, scheduler: scheduler, actionID: actionID,
                                     outputLocation: outputLocation.withLock { $0 }, at: at)
            try TaskSQL.appendEvent(db, at: at, resource: resource, subject: "task/\(pool)/\(ref.key)", from: existing?.state,
                                    to: TaskState.running.rawValue, cause: "attempt \(ref.attempt) by \(actionID)")
        }
    }

    /// Records the scheduler's job ids for started attempts.
    package func markSubmitted(pool: String, started: [(key: String, attempt: Int, jobID: String)], at now: Instant) async throws {
        try await write { db in
            for item in started { try markSubmitted(db, pool: pool, key: item.key, attempt: item.attempt, jobID: item.jobID, at: now) }
        }
    }

    func markSubmitted(_ db: Database, pool: String, key: String, attempt: Int, jobID: String, at now: Instant) throws {
        // A pull worker may have claimed the attempt already: its `lease:worker` job stays.
        try db.cachedStatement(sql: "UPDATE attempts SET state = ?, job_id = CASE WHEN job_id LIKE 'lease:%' THEN job_id ELSE ? END, started_at = COALESCE(started_at, ?) WHERE pool = ? AND key = ? AND attempt = ? AND state = ?")
            .execute(arguments: [AttemptRecord.State.running.rawValue, jobID, now.millisecondsSinceEpoch, pool, key,
                                   attempt, AttemptRecord.State.submitting.rawValue])
    }

    /// Records how an attempt ended and what that did to its task (the lifecycle's transition).
    package func settle(_ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?, at now: Instant) async throws {
        try await settle([StateStore.Settlement(transition: transition, attempt: attempt, outcome: outcome, jobID: jobID)], at: now)
    }

    /// Records many settlements in one durable transaction: a pass that sees a thousand
    /// attempts end commits once, not a thousand times.
    package func settle(_ settlements: [StateStore.Settlement], at now: Instant) async throws {
        guard !settlements.isEmpty else { return }
        try await write { db in
            for settlement in settlements {
                try settle(db, settlement.transition, attempt: settlement.attempt, outcome: settlement.outcome, jobID: settlement.jobID, at: now)
            }
        }
    }

    func settle(_ db: Database, _ transition: TaskLifecycle.Transition, attempt: Int, outcome: AttemptOutcome, jobID: String?,
                        at now: Instant) throws {
        let task = transition.task
        let at = now.millisecondsSinceEpoch
        let existing = try TaskSQL.current(db, pool: task.pool, key: task.key)
        try TaskSQL.save(db, task, lastOutcome: task.lastOutcome.map { Self.encodeJSON($0) }, createdAt: existing?.createdAt ?? at, updatedAt: at)
        try TaskSQL.endAttempt(db, pool: task.pool, key: task.key, attempt: attempt, outcome: outcome, jobID: jobID, at: at)
        try TaskSQL.appendEvent(db, at: at, resource: ResourceID(.taskPool, task.pool).description, subject: "task/\(task.pool)/\(task.key)",
                                from: existing?.state, to: task.state.rawValue, cause: transition.cause)
    }

    /// Sets tasks' states by an operator or the planner (requeue, cancel, dead-letter), with an event each.
    package func setTasks(_ statuses: [TaskStatus], cause: String, at now: Instant) async throws {
        try await write { db in
            for status in statuses {
                let existing = try TaskRecord.fetchOne(db, key: ["pool": status.pool, "key": status.key])
                try TaskRecord(status, createdAt: existing?.createdAt ?? now, updatedAt: now).save(db)
                if existing?.state != status.state {
                    try EventRecord(at: now, resource: ResourceID(.taskPool, status.pool).description, subject: "task/\(status.pool)/\(status.key)",
                                    fromState: existing?.state.rawValue, toState: status.state.rawValue, cause: cause).append(to: db)
                }
            }
        }
    }
}

extension SQLiteBackend {
    /// Marks an action that calls no adapter before any state change (cancel, dead-letter).
    package func markIssuingWithoutRequest(actionID: String, at now: Instant) async throws {
        try await write { db in try transition(db, actionID: actionID, to: .issuing, error: nil, at: now, requestID: nil) }
    }
}

extension SQLiteBackend {
    /// Closes the open attempts (submitting or running) of cancelled tasks.
    package func markAttemptsCancelled(pool: String, keys: [String], at now: Instant) async throws {
        try await write { db in
            for key in keys {
                try db.execute(sql: "UPDATE attempts SET state = ?, ended_at = ? WHERE pool = ? AND key = ? AND state IN (?, ?)",
                               arguments: [AttemptRecord.State.cancelled.rawValue, now.millisecondsSinceEpoch, pool, key,
                                           AttemptRecord.State.submitting.rawValue, AttemptRecord.State.running.rawValue])
            }
        }
    }

    /// Attempts journaled as submitting or running: what a plan without refresh takes as running.
    package func openAttempts() async throws -> [AttemptRecord] {
        try await read { db in
            try AttemptRecord.fetchAll(db, sql: "SELECT * FROM attempts WHERE state IN ('submitting', 'running')")
        }
    }

    /// The open attempts (submitting or running) with their jobs, through the partial index:
    /// what observation asks the schedulers about.
    package func openAttemptHandles() async throws -> [AttemptHandle] {
        try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT scheduler, pool, key, attempt, job_id FROM attempts WHERE state IN ('submitting', 'running')
                """))
            return rows.map { AttemptHandle(scheduler: $0[0], task: TaskID(pool: $0[1], key: $0[2]), attempt: $0[3], jobID: $0[4]) }
        }
    }
}
