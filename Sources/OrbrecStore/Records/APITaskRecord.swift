public import OrbrecCore
public import GRDB
internal import Foundation

/// A task posted to an api pool as the journal keeps it (`api_tasks`). Its state is not here
/// but in `tasks`, written once the engine acts on it; until then it is pending.
public struct APITaskRecord: Codable, Sendable, Hashable {
    /// Assigned by the database as the row is written: the order tasks were posted in.
    public var seq: Int64?
    public var pool: String
    public var key: String
    /// The arguments as JSON with sorted keys.
    public var args: String
    public var actor: String
    /// The caller's Idempotency-Key: a retry with it answers this task, whatever else it says.
    public var idempotencyKey: String?
    public var createdAt: Instant
    public var cancelRequestedAt: Instant?
    public var cancelRequestedBy: String?

    public init(_ task: APITask, idempotencyKey: String?) {
        seq = nil
        pool = task.pool
        key = task.key
        args = SQLiteBackend.encodeJSON(task.args)
        actor = task.actor
        self.idempotencyKey = idempotencyKey
        createdAt = task.createdAt
        cancelRequestedAt = task.cancelRequestedAt
        cancelRequestedBy = nil
    }

    public var task: APITask {
        APITask(pool: pool, key: key, args: (try? JSONDecoder().decode([String: String].self, from: Data(args.utf8))) ?? [:],
                sequence: seq ?? 0, actor: actor, createdAt: createdAt, cancelRequestedAt: cancelRequestedAt)
    }
}

extension APITaskRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_tasks"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}

/// An api task with what the journal knows of its state (nil: never acted on, so pending).
public struct APITaskEntry: Sendable, Hashable {
    public var task: APITask
    public var journaled: TaskRecord?
    public var idempotencyKey: String?

    public init(task: APITask, journaled: TaskRecord?, idempotencyKey: String? = nil) {
        self.task = task
        self.journaled = journaled
        self.idempotencyKey = idempotencyKey
    }

    public var state: TaskState { journaled?.state ?? .pending }
}

/// What journaling a posted task found: it is new, its key was posted before, or its
/// Idempotency-Key was (the same call, made again).
public enum APITaskJournaled: Sendable, Hashable {
    case created(APITaskEntry)
    case keyExists(APITaskEntry)
    case idempotencyKeySeen(APITaskEntry)

    public var entry: APITaskEntry {
        switch self {
        case .created(let entry), .keyExists(let entry), .idempotencyKeySeen(let entry): entry
        }
    }
}
