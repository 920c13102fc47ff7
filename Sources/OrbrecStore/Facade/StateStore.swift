internal import Foundation

/// The state: the journal, requests, machines, resources, events and the lock.
///
/// A façade named for what it records: every method is one transaction, and `async`, so a
/// backend that answers over a network blocks no thread. It forwards to its `StateBackend`;
/// today that is always `SQLiteBackend`, one SQLite file in WAL mode shared by the CLI and
/// the daemon.
public final class StateStore: Sendable {
    package let backend: any StateBackend
    /// The locks this store holds, kept alive until released.
    let renewals = LockRenewals()

    /// This state's identity: the owner tag every machine and job carries.
    public var stateID: String { backend.stateID }
    public var path: String { backend.path }

    /// Opens (creating if needed) the state at `path` and brings its schema up to date.
    /// Throws `StateFileRefused` when a file there is not an orbrec state (see `StateFile`).
    public init(path: String, busyTimeout: Double = 10) throws {
        backend = try SQLiteBackend(path: path, busyTimeout: busyTimeout)
    }

    package init(backend: any StateBackend) {
        self.backend = backend
    }

    /// Lets go of the connections a network backend holds; the store is not used after.
    public func close() async { await backend.close() }

    /// Opens the state only if the file exists, so read-only commands never create one.
    public static func openExisting(path: String) throws -> StateStore? {
        FileManager.default.fileExists(atPath: path) ? try StateStore(path: path) : nil
    }
}
