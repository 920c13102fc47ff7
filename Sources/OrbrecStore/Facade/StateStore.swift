internal import Foundation
internal import Synchronization

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
    /// Stamped on the machines this process asks for (`setLocalFiles`).
    let machineLogLocation = Mutex<String?>(nil)

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

    /// Where this process keeps what lives beside the state, as `host:directory`: recorded with
    /// each attempt it starts (task outputs) and each machine it asks for (machine logs), so
    /// another machine sharing the state can say where they are.
    public func setLocalFiles(outputs: String?, machineLogs: String?) {
        backend.setOutputLocation(outputs)
        machineLogLocation.withLock { $0 = machineLogs }
    }

    /// Lets go of the connections a network backend holds; the store is not used after.
    public func close() async { await backend.close() }

    /// Opens the state only if the file exists, so read-only commands never create one.
    public static func openExisting(path: String) throws -> StateStore? {
        FileManager.default.fileExists(atPath: path) ? try StateStore(path: path) : nil
    }
}
