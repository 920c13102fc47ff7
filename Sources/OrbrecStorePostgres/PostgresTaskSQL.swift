internal import Foundation
internal import OrbrecCore
internal import OrbrecStore
internal import PostgresNIO

/// The task journal's hot path in plain SQL: a pool of ten thousand tasks moves through
/// these once per attempt, so a batch is a few set-based statements, whatever its size (rows
/// go in as one `jsonb` array, `JSONRows`), and rows are read by column, not through Codable.
///
/// The statements keep the row-by-row semantics of the SQLite backend. A batch that names
/// one task twice is written in rounds (`rounds`), the second occurrence after the first, as
/// `ON CONFLICT DO UPDATE` and `UPDATE … FROM` may touch a row only once a statement; the
/// events, which need each task's state before each change, are worked out in Swift from one
/// read (`TaskStates`).
///
/// A batch that joins a table (`FROM batch`, `IN (SELECT … FROM batch)`) ends in `LIMIT $n`,
/// `$n` its row count, which changes nothing but the planner's estimate: it takes any set
/// function for 100 rows, and a prepared statement's generic plan for a 10,000-task pool
/// then hashes the batch and scans the whole table, for one task. A LIMIT it knows gives it
/// the count, and one it does not (the generic plan) a tenth: a lookup by key each.
enum PostgresTaskSQL {
    /// The state of each of these tasks the journal holds (absent: no such task yet). Locks
    /// the rows, as `transition` locks its action, for writers that may one day not hold the
    /// journal lock.
    static func states(_ tx: StateTransaction, _ ids: some Sequence<TaskID>) async throws -> TaskStates {
        var unique: Set<TaskID> = []
        var batch = JSONRows()
        for id in ids where unique.insert(id).inserted { batch.append([("pool", .text(id.pool)), ("key", .text(id.key))]) }
        guard !batch.isEmpty else { return TaskStates(states: [:]) }
        let rows = try await tx.rows(ReadStates.self, [.text(batch.json), .integer(Int64(batch.count))])
        var states: [TaskID: String] = [:]
        for row in rows {
            let (pool, key, state) = try row.decode((String, String, String).self)
            states[TaskID(pool: pool, key: key)] = state
        }
        return TaskStates(states: states)
    }

    /// Tasks' states as the statements of a batch leave them, one change at a time: the
    /// `from` of each change's event.
    struct TaskStates {
        var states: [TaskID: String]

        /// Records `task`'s new state and returns the one it had.
        mutating func change(_ task: TaskID, to state: String) -> String? {
            let from = states[task]
            states[task] = state
            return from
        }
    }

    /// `items` in rounds where no task comes twice: the n-th occurrence of a task goes to
    /// round n, and each round keeps the batch's order.
    static func rounds<T>(_ items: [T], task: (T) -> TaskID) -> [[T]] {
        var seen: [TaskID: Int] = [:]
        var rounds: [[T]] = []
        for item in items {
            let round = seen[task(item), default: 0]
            seen[task(item)] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(item)
        }
        return rounds
    }

    enum ReadStates: PreparedSQL {
        static let types: [PostgresDataType] = [.text, .int8]
        static let sql = """
            SELECT pool, key, state FROM tasks
            WHERE (pool, key) IN (SELECT pool, key FROM jsonb_to_recordset($1::jsonb) AS t(pool text, key text) LIMIT $2)
            ORDER BY pool, key FOR UPDATE
            """
    }

    /// Saves each task of `batch` (a CTE of `taskColumns`) whole; a new one is created at `$1`.
    static let upsertTasks = """
        INSERT INTO tasks (pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome,
                           created_at, updated_at)
        SELECT pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome, $1, $1 FROM batch
        ON CONFLICT (pool, key) DO UPDATE SET state = excluded.state, attempts_started = excluded.attempts_started,
            attempts_consumed = excluded.attempts_consumed, infra_losses = excluded.infra_losses,
            next_try_at = excluded.next_try_at, last_outcome = excluded.last_outcome, updated_at = excluded.updated_at
        """

    static let taskColumns = """
        pool text, key text, state text, attempts_started bigint, attempts_consumed bigint, infra_losses bigint,
        next_try_at bigint, last_outcome text
        """

    /// A task's columns for `upsertTasks`; `lastOutcome` is its JSON text.
    static func taskFields(_ status: TaskStatus, lastOutcome: String?) -> [(String, RowEncoder.Value)] {
        [("pool", .text(status.pool)), ("key", .text(status.key)), ("state", .text(status.state.rawValue)),
         ("attempts_started", .integer(Int64(status.attemptsStarted))), ("attempts_consumed", .integer(Int64(status.attemptsConsumed))),
         ("infra_losses", .integer(Int64(status.infraLosses))),
         ("next_try_at", status.nextTryAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null),
         ("last_outcome", lastOutcome.map { .text($0) } ?? .null)]
    }

    /// Saves tasks whole, as given (a new task is created at `now`). No task may come twice.
    static func saveTasks(_ tx: StateTransaction, _ tasks: [(status: TaskStatus, lastOutcome: String?)], at now: Int64) async throws {
        guard !tasks.isEmpty else { return }
        var rows = JSONRows()
        for task in tasks { rows.append(taskFields(task.status, lastOutcome: task.lastOutcome)) }
        try await tx.rows(SaveTasks.self, [.integer(now), .text(rows.json)])
    }

    enum SaveTasks: PreparedSQL {
        static let types: [PostgresDataType] = [.int8, .text]
        static let sql = "WITH batch AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(\(taskColumns)))\n\(upsertTasks)"
    }

    /// One attempt a batch starts.
    struct Start {
        var task: TaskID
        var attempt: Int
        var actionID: String
        var scheduler: String
    }

    /// Each task `running` with its new attempt number (its counts, last outcome and creation
    /// as the journal holds them), each attempt a new row `submitting`.
    static func startAttempts(_ tx: StateTransaction, _ starts: [Start], outputLocation: String?, at now: Int64) async throws {
        for round in rounds(starts, task: \.task) {
            var rows = JSONRows()
            for start in round {
                rows.append([("pool", .text(start.task.pool)), ("key", .text(start.task.key)), ("attempt", .integer(Int64(start.attempt))),
                             ("action_id", .text(start.actionID)), ("scheduler", .text(start.scheduler))])
            }
            try await tx.rows(StartAttempts.self, [.text(rows.json), .text(TaskState.running.rawValue), .integer(now),
                                                   .text(AttemptRecord.State.submitting.rawValue), outputLocation.map { .text($0) } ?? .null])
        }
    }

    enum StartAttempts: PreparedSQL {
        static let types: [PostgresDataType] = [.text, .text, .int8, .text, .text]
        static let sql = """
            WITH batch AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                             AS t(pool text, key text, attempt bigint, action_id text, scheduler text)),
            saved AS (
              INSERT INTO tasks (pool, key, state, attempts_started, attempts_consumed, infra_losses, next_try_at, last_outcome,
                                 created_at, updated_at)
              SELECT pool, key, $2, attempt, 0, 0, NULL, NULL, $3, $3 FROM batch
              ON CONFLICT (pool, key) DO UPDATE SET state = excluded.state, attempts_started = excluded.attempts_started,
                  next_try_at = NULL, updated_at = excluded.updated_at)
            INSERT INTO attempts (pool, key, attempt, scheduler, action_id, job_id, state, host, created_at, output_location)
            SELECT pool, key, attempt, scheduler, action_id, NULL, $4, '', $3, $5 FROM batch
            """
    }

    /// The scheduler's job ids for started attempts: each `submitting` attempt becomes
    /// `running`. An attempt named twice takes its first job, as the second finds it running.
    static func markSubmitted(_ tx: StateTransaction, _ started: [(task: TaskID, attempt: Int, jobID: String)], at now: Int64) async throws {
        struct Attempt: Hashable { var task: TaskID, attempt: Int }
        var seen: Set<Attempt> = []
        var rows = JSONRows()
        for item in started where seen.insert(Attempt(task: item.task, attempt: item.attempt)).inserted {
            rows.append([("pool", .text(item.task.pool)), ("key", .text(item.task.key)), ("attempt", .integer(Int64(item.attempt))),
                         ("job_id", .text(item.jobID))])
        }
        guard !rows.isEmpty else { return }
        try await tx.rows(MarkSubmitted.self, [.text(rows.json), .text(AttemptRecord.State.running.rawValue), .integer(now),
                                               .text(AttemptRecord.State.submitting.rawValue), .integer(Int64(rows.count))])
    }

    enum MarkSubmitted: PreparedSQL {
        static let types: [PostgresDataType] = [.text, .text, .int8, .text, .int8]
        // A pull worker may have claimed the attempt already: its `lease:worker` job stays.
        static let sql = """
            UPDATE attempts a SET state = $2, job_id = CASE WHEN a.job_id LIKE 'lease:%' THEN a.job_id ELSE s.job_id END,
                started_at = COALESCE(a.started_at, $3)
            FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(pool text, key text, attempt bigint, job_id text) LIMIT $5) s
            WHERE a.pool = s.pool AND a.key = s.key AND a.attempt = s.attempt AND a.state = $4
            """
    }

    /// Each settled task saved whole, and its attempt's end (nothing for an attempt the
    /// journal does not have).
    static func settle(_ tx: StateTransaction, _ settlements: [StateStore.Settlement], at now: Int64) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for round in rounds(settlements, task: \.transition.task.id) {
            var rows = JSONRows()
            for settlement in round {
                let task = settlement.transition.task, outcome = settlement.outcome
                // As `encodeJSON` writes it.
                let lastOutcome = task.lastOutcome.map { (try? encoder.encode($0)).flatMap { String(data: $0, encoding: .utf8) } ?? "null" }
                let state = outcome.cancelled ? AttemptRecord.State.cancelled : AttemptRecord.State.ended
                rows.append(taskFields(task, lastOutcome: lastOutcome) + [
                    ("attempt", .integer(Int64(settlement.attempt))), ("attempt_state", .text(state.rawValue)),
                    ("exit_code", outcome.exitCode.map { .integer(Int64($0)) } ?? .null),
                    ("signal", outcome.signal.map { .integer(Int64($0)) } ?? .null),
                    ("failure_class", outcome.failureClass.map { .text($0.rawValue) } ?? .null), ("host", .text(outcome.host)),
                    ("job_id", settlement.jobID.map { .text($0) } ?? .null),
                    ("started_at", outcome.startedAt.map { .integer($0.millisecondsSinceEpoch) } ?? .null),
                    ("ended_at", .integer(outcome.endedAt?.millisecondsSinceEpoch ?? now)),
                ])
            }
            try await tx.rows(Settle.self, [.integer(now), .text(rows.json), .integer(Int64(rows.count))])
        }
    }

    enum Settle: PreparedSQL {
        static let types: [PostgresDataType] = [.int8, .text, .int8]
        static let sql = """
            WITH batch AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(\(taskColumns), attempt bigint, attempt_state text,
                             exit_code bigint, signal bigint, failure_class text, host text, job_id text, started_at bigint,
                             ended_at bigint) LIMIT $3),
            saved AS (\(upsertTasks))
            UPDATE attempts a SET state = s.attempt_state, exit_code = s.exit_code, signal = s.signal,
                failure_class = s.failure_class, host = s.host, job_id = COALESCE(a.job_id, s.job_id),
                started_at = COALESCE(s.started_at, a.started_at), ended_at = s.ended_at
            FROM batch s WHERE a.pool = s.pool AND a.key = s.key AND a.attempt = s.attempt
            """
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
