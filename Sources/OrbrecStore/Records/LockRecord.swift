public import OrbrecCore
public import GRDB

/// The holder of the state lock: who, where, which process, since when.
public struct LockRecord: Codable, Sendable, Hashable {
    public var name: String
    public var id: String
    public var operation: String
    /// `user@host`
    public var who: String
    public var host: String
    public var pid: Int32
    /// The holder process's start time, so a reused pid is not mistaken for the holder.
    public var processStart: String
    public var createdAt: Instant

    public static let stateLockName = "state"

    public init(id: String, operation: String, who: String, host: String, pid: Int32, processStart: String, createdAt: Instant) {
        self.name = Self.stateLockName
        self.id = id
        self.operation = operation
        self.who = who
        self.host = host
        self.pid = pid
        self.processStart = processStart
        self.createdAt = createdAt
    }
}

extension LockRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "locks"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
