internal import OrbrecCore
internal import Foundation
internal import GRDB
internal import Glibc
internal import Synchronization

/// The state in one SQLite file in WAL mode, shared by the CLI and the daemon: the backend
/// behind `StateStore` (each method one transaction through GRDB's async read and write; the
/// database itself stays private).
package final class SQLiteBackend: StateBackend {
    private let database: DatabasePool
    private let committer: GroupCommitter
    /// Each pool's tasks as last read, with the generation they were read at (`taskStatuses`).
    let taskCache = TaskCache()
    /// Recorded with each attempt this process starts.
    let outputLocation = Mutex<String?>(nil)
    /// The state lock this process's journal writes must still hold (`fenceLock`).
    let lockFence = Mutex<String?>(nil)
    /// This state's identity: the owner tag every machine and job carries.
    package let stateID: String
    package let path: String

    /// Opens (creating if needed) the state at `path` and brings its schema up to date.
    /// Throws `StateFileRefused` when a file there is not an orbrec state (see `StateFile`).
    package init(path: String, busyTimeout: Double = 10) throws {
        try StateFile.makeDirectory(for: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "orbrec-state"
        // Durable: every commit is on disk before it returns (WAL synced at each commit), so an
        // action journaled before its effect survives a power cut, not just a kill -9.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        // Two processes opening a new (or older) state at once would race on the WAL switch
        // and the migrations: an exclusive flock beside the file serialises opening.
        let gate = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if gate >= 0 { flock(gate, LOCK_EX) }
        defer {
            if gate >= 0 {
                flock(gate, LOCK_UN)
                Glibc.close(gate)
            }
        }
        if try !StateFile.exists(path: path) {
            try StateFile.create(path: path, configuration: configuration) { database in
                try StateMigrations.migrator.migrate(database)
                _ = try Self.stateID(of: database)
            }
        }
        database = try DatabasePool(path: path, configuration: configuration)
        committer = GroupCommitter(database: database)
        try StateMigrations.migrator.migrate(database)
        stateID = try Self.stateID(of: database)
        self.path = path
    }

    /// Nothing to do: the file is closed when the last reference goes.
    package func close() async {}

    /// One daemon per file (the daemon's file lock): it always leads.
    package var election: (any LeaderElectionBackend)? { nil }

    /// One daemon per file, and its readers poll `data_version`: nothing is pushed.
    package func changes() -> AsyncStream<StateChange> { AsyncStream { $0.finish() } }

    package func setOutputLocation(_ location: String?) { outputLocation.withLock { $0 = location } }

    package func fenceLock(_ id: String?) { lockFence.withLock { $0 = id } }

    /// The state's identity, given to it when it is made.
    private static func stateID(of database: DatabasePool) throws -> String {
        try database.write { db in
            if let existing = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'state_id'") {
                return existing
            }
            let created = "st-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('state_id', ?)", arguments: [created])
            return created
        }
    }

    // Every method of the store is async: GRDB runs the body on its own queue and the calling
    // task is suspended meanwhile, so no cooperative thread waits on SQLite (nor, later, on a
    // network database).
    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T { try await database.read(body) }
    /// A journal write: refused (`LockLost`) when this process holds a lock fence and the
    /// lock is no longer its own.
    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        guard let fence = lockFence.withLock({ $0 }) else { return try await database.write(body) }
        return try await database.write { db in
            guard try String.fetchOne(db, sql: "SELECT id FROM locks WHERE name = ?", arguments: [LockRecord.stateLockName]) == fence else {
                throw LockLost(lockID: fence)
            }
            return try body(db)
        }
    }

    /// A write of the lock itself, which its fence does not guard.
    func lockWrite<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T { try await database.write(body) }
    /// A write that shares its durable transaction with the writes of concurrent callers.
    func groupWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T { try await committer.write(body) }
    func writeWithoutTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await database.writeWithoutTransaction(body)
    }

    static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}
