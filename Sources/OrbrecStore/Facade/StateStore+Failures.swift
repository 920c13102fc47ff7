internal import GRDB

extension StateStore {
    /// Whether `error` is a failure of the state itself (SQLite could not read or write the
    /// file: a full disk, an I/O error, a read-only file system; PostgreSQL could not be reached) rather than of what was asked.
    /// The daemon treats it as its own failure, not as a fault of the resource it worked on.
    public static func isStateFailure(_ error: any Error) -> Bool { error is DatabaseError || error is StateFileRefused || error is StateUnavailable }
}
