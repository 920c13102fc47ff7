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
    /// When the lock lapses unless its holder renews it (every third of its time to live): a
    /// holder that died on another host is known by this, not by its pid. Nil: never (a lock
    /// written by an orbrec before expiry existed).
    public var expiresAt: Instant?
    /// How long each renewal extends the lock.
    public var ttlMilliseconds: Int64?

    public static let stateLockName = "state"

    public init(id: String, operation: String, who: String, host: String, pid: Int32, processStart: String, createdAt: Instant,
                ttl: ConfigDuration? = nil) {
        self.name = Self.stateLockName
        self.id = id
        self.operation = operation
        self.who = who
        self.host = host
        self.pid = pid
        self.processStart = processStart
        self.createdAt = createdAt
        expiresAt = ttl.map { createdAt.adding($0) }
        ttlMilliseconds = ttl?.milliseconds
    }

    /// The cause of a 'broken' event: why the lock was taken from `holder`.
    package static func brokenCause(_ holder: LockRecord, expired: Bool) -> String {
        expired ? "lock expired: its holder (pid \(holder.pid) on \(holder.host)) stopped renewing it"
            : "holder process \(holder.pid) on \(holder.host) is gone"
    }

    /// The same request for the lock, made at `now`: what a waiter sends on each try, so the
    /// lock it takes says when it was taken and lapses a time to live after that.
    public func stamped(at now: Instant) -> LockRecord {
        var stamped = self
        stamped.createdAt = now
        stamped.expiresAt = ttlMilliseconds.map { now.adding(ConfigDuration(milliseconds: $0)) }
        return stamped
    }

    /// Whether the lock lapsed by `now`: its holder stopped renewing it.
    public func hasExpired(at now: Instant) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt < now
    }
}

extension LockRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "locks"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase
}
