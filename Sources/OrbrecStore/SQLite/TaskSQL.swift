internal import OrbrecCore
internal import GRDB

/// The task journal's hot path in plain SQL through cached statements: a pool of ten
/// thousand tasks moves through these once per attempt, and record encoding (key strategy
/// conversion, Codable) cost more than SQLite itself.
enum TaskSQL {
    struct Current {
        var state: String
        var createdAt: Int64
        var attemptsConsumed: Int
        var infraLosses: Int
        var lastOutcome: String?
    }

    /// What the journal holds of a task, without decoding its last outcome.
    static func current(_ db: Database, pool: String, key: String) throws -> Current? {
        let statement = try db.cachedStatement(sql: """
            SELECT state, created_at, attempts_consumed, infra_losses, last_outcome FROM tasks WHERE pool = ? AND key = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [pool, key]) else { return nil }
        return Current(state: row[0], createdAt: row[1], attemptsConsumed: row[2], infraLosses: row[3], lastOutcome: row[4])
    }

    static func save(_ db: Database, _ status: TaskStatus, lastOutcome: String?, createdAt: Int64, updatedAt: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO tasks (pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome,
                               created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(pool, key) DO UPDATE SET state = excluded.state, attempts_started = excluded.attempts_started,
                attempts_consumed = excluded.attempts_consumed, infra_losses = excluded.infra_losses,
                next_try_at = excluded.next_try_at, last_outcome = excluded.last_outcome, updated_at = excluded.updated_at
            """)
        try statement.execute(arguments: [
            status.pool, status.key, status.state.rawValue, status.attemptsStarted, status.attemptsConsumed, status.infraLosses,
            status.nextTryAt?.millisecondsSinceEpoch, lastOutcome, createdAt, updatedAt,
        ])
    }

    static func insertAttempt(_ db: Database, pool: String, key: String, attempt: Int, scheduler: String, actionID: String,
                              outputLocation: String?, at now: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO attempts (pool, key, attempt, scheduler, action_id, job_id, state, host, created_at, output_location)
            VALUES (?, ?, ?, ?, ?, NULL, ?, '', ?, ?)
            """)
        try statement.execute(arguments: [pool, key, attempt, scheduler, actionID, AttemptRecord.State.submitting.rawValue, now,
                                          outputLocation])
    }

    /// Records an attempt's end; returns false when the journal has no such attempt.
    static func endAttempt(_ db: Database, pool: String, key: String, attempt: Int, outcome: AttemptOutcome, jobID: String?,
                           at now: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            UPDATE attempts SET state = ?, exit_code = ?, signal = ?, failure_class = ?, host = ?, job_id = COALESCE(job_id, ?),
                started_at = COALESCE(?, started_at), ended_at = ?
            WHERE pool = ? AND key = ? AND attempt = ?
            """)
        try statement.execute(arguments: [
            (outcome.cancelled ? AttemptRecord.State.cancelled : AttemptRecord.State.ended).rawValue, outcome.exitCode, outcome.signal,
            outcome.failureClass?.rawValue, outcome.host, jobID, outcome.startedAt?.millisecondsSinceEpoch,
            outcome.endedAt?.millisecondsSinceEpoch ?? now, pool, key, attempt,
        ])
    }

    static func appendEvent(_ db: Database, at now: Int64, resource: String, subject: String, from: String?, to: String, cause: String) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO events (at, resource, subject, from_state, to_state, cause) VALUES (?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [now, resource, subject, from, to, cause])
    }
}
