public import OrbrecCore
public import GRDB
internal import Foundation

/// A task as the journal knows it.
public struct TaskRecord: Codable, Sendable, Hashable {
    public var pool: String
    public var key: String
    public var state: TaskState
    public var attemptsStarted: Int
    public var attemptsConsumed: Int
    public var infraLosses: Int
    public var nextTryAt: Instant?
    /// The last attempt's outcome, as JSON.
    public var lastOutcome: String?
    public var createdAt: Instant
    public var updatedAt: Instant

    public var status: TaskStatus {
        TaskStatus(pool: pool, key: key, state: state, attemptsStarted: attemptsStarted, attemptsConsumed: attemptsConsumed,
                   nextTryAt: nextTryAt, lastOutcome: lastOutcome.flatMap { try? JSONDecoder().decode(AttemptOutcome.self, from: Data($0.utf8)) },
                   infraLosses: infraLosses)
    }

    init(_ status: TaskStatus, createdAt: Instant, updatedAt: Instant) {
        pool = status.pool
        key = status.key
        state = status.state
        attemptsStarted = status.attemptsStarted
        attemptsConsumed = status.attemptsConsumed
        infraLosses = status.infraLosses
        nextTryAt = status.nextTryAt
        lastOutcome = status.lastOutcome.map { SQLiteBackend.encodeJSON($0) }
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension TaskRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "tasks"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Read by column, not through Codable: a pass reads every task of every pool, and the
    /// decoder's key conversion cost more than SQLite.
    public init(row: Row) throws {
        pool = row["pool"]
        key = row["key"]
        let stateName: String = row["state"]
        guard let state = TaskState(rawValue: stateName) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "task \(pool)/\(key) has an unknown state \(stateName)")
        }
        self.state = state
        attemptsStarted = row["attempts_started"]
        attemptsConsumed = row["attempts_consumed"]
        infraLosses = row["infra_losses"]
        nextTryAt = (row["next_try_at"] as Int64?).map(Instant.init(millisecondsSinceEpoch:))
        lastOutcome = row["last_outcome"]
        createdAt = Instant(millisecondsSinceEpoch: row["created_at"])
        updatedAt = Instant(millisecondsSinceEpoch: row["updated_at"])
    }
}

/// One try of a task: the row DESIGN.md asks for, with its job, times, exit and failure class.
public struct AttemptRecord: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        /// Journaled; the scheduler is being asked to start it.
        case submitting
        case running
        case ended
        case cancelled
    }

    public var pool: String
    public var key: String
    public var attempt: Int
    public var scheduler: String
    public var actionId: String
    public var jobId: String?
    public var state: State
    public var exitCode: Int?
    public var signal: Int?
    public var failureClass: FailureClass?
    public var host: String
    public var createdAt: Instant
    public var startedAt: Instant?
    public var endedAt: Instant?
    /// Where the attempt's output files are kept, as `host:directory` (the root its
    /// scheduler writes `<pool>/<key>/<attempt>.out` under), as the process that started it
    /// knew it: with a shared state, on the host that ran it.
    public var outputLocation: String?
}

extension AttemptRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
