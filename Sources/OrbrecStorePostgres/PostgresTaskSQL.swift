internal import Foundation
internal import OrbrecCore
internal import OrbrecStore
internal import PostgresNIO

/// The task journal's hot path in plain SQL: a pool of ten thousand tasks moves through
/// these once per attempt, so rows are written and read by column, not through Codable.
enum PostgresTaskSQL {
    struct Current {
        var state: String
        var createdAt: Int64
        var attemptsConsumed: Int
        var infraLosses: Int
        var lastOutcome: String?
    }

    /// What the journal holds of a task, without decoding its last outcome. Locks the row,
    /// as `transition` locks its action, for writers that may one day not hold the journal lock.
    static func current(_ tx: StateTransaction, pool: String, key: String) async throws -> Current? {
        guard let row = try await tx.rows("""
            SELECT state, created_at, attempts_consumed, infra_losses, last_outcome FROM tasks
            WHERE pool = \(pool) AND key = \(key) FOR UPDATE
            """).first else { return nil }
        let (state, createdAt, attemptsConsumed, infraLosses, lastOutcome) = try row.decode((String, Int64, Int, Int, String?).self)
        return Current(state: state, createdAt: createdAt, attemptsConsumed: attemptsConsumed, infraLosses: infraLosses,
                       lastOutcome: lastOutcome)
    }

    static func save(_ tx: StateTransaction, _ status: TaskStatus, lastOutcome: String?, createdAt: Int64, updatedAt: Int64) async throws {
        try await tx.execute("""
            INSERT INTO tasks (pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome,
                               created_at, updated_at)
            VALUES (\(status.pool), \(status.key), \(status.state.rawValue), \(status.attemptsStarted), \(status.attemptsConsumed),
                    \(status.infraLosses), \(status.nextTryAt?.millisecondsSinceEpoch), \(lastOutcome), \(createdAt), \(updatedAt))
            ON CONFLICT (pool, key) DO UPDATE SET state = excluded.state, attempts_started = excluded.attempts_started,
                attempts_consumed = excluded.attempts_consumed, infra_losses = excluded.infra_losses,
                next_try_at = excluded.next_try_at, last_outcome = excluded.last_outcome, updated_at = excluded.updated_at
            """)
    }

    static func insertAttempt(_ tx: StateTransaction, pool: String, key: String, attempt: Int, scheduler: String, actionID: String,
                              outputLocation: String?, at now: Int64) async throws {
        try await tx.execute("""
            INSERT INTO attempts (pool, key, attempt, scheduler, action_id, job_id, state, host, created_at, output_location)
            VALUES (\(pool), \(key), \(attempt), \(scheduler), \(actionID), NULL, \(AttemptRecord.State.submitting.rawValue), '', \(now),
                    \(outputLocation))
            """)
    }

    /// Records an attempt's end (nothing when the journal has no such attempt).
    static func endAttempt(_ tx: StateTransaction, pool: String, key: String, attempt: Int, outcome: AttemptOutcome, jobID: String?,
                           at now: Int64) async throws {
        let state = outcome.cancelled ? AttemptRecord.State.cancelled : AttemptRecord.State.ended
        try await tx.execute("""
            UPDATE attempts SET state = \(state.rawValue), exit_code = \(outcome.exitCode), signal = \(outcome.signal),
                failure_class = \(outcome.failureClass?.rawValue), host = \(outcome.host), job_id = COALESCE(job_id, \(jobID)),
                started_at = COALESCE(\(outcome.startedAt?.millisecondsSinceEpoch), started_at),
                ended_at = \(outcome.endedAt?.millisecondsSinceEpoch ?? now)
            WHERE pool = \(pool) AND key = \(key) AND attempt = \(attempt)
            """)
    }

    /// The columns `status(_:)` reads, in its order.
    static let statusColumns = "pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome"

    /// A task's status from a row of `statusColumns`, as `TaskRecord.status` makes it (an
    /// outcome that no longer decodes is dropped).
    static func status(_ row: PostgresRow, outcomes: JSONDecoder) throws -> TaskStatus {
        let (pool, key, stateName, attemptsStarted, attemptsConsumed, infraLosses, nextTryAt, lastOutcome) =
            try row.decode((String, String, String, Int, Int, Int, Int64?, String?).self)
        guard let state = TaskState(rawValue: stateName) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "task \(pool)/\(key) has an unknown state \(stateName)"))
        }
        return TaskStatus(pool: pool, key: key, state: state, attemptsStarted: attemptsStarted, attemptsConsumed: attemptsConsumed,
                          nextTryAt: nextTryAt.map(Instant.init(millisecondsSinceEpoch:)),
                          lastOutcome: lastOutcome.flatMap { try? outcomes.decode(AttemptOutcome.self, from: Data($0.utf8)) },
                          infraLosses: infraLosses)
    }
}
