internal import Foundation
internal import GRDB
internal import Glibc

/// The file a state lives in, checked before SQLite is let near it.
///
/// A missing file is created whole, private (0600, in a 0700 directory when orbrec makes it): it
/// holds lease tokens and `userData`, and SQLite gives the -wal and -shm files the mode of
/// the database file. An existing file must already be an orbrec state: an empty one (a
/// truncation, a failed copy) or someone else's database is refused, never initialised
/// over — a new state would orphan every machine the old one owns.
enum StateFile {
    /// SQLite's file header (the first 16 bytes of every database file).
    static let sqliteMagic = Array("SQLite format 3\u{0}".utf8)

    /// Creates the directory of `path` if there is none: private, as what orbrec keeps beside
    /// the state (task outputs, machine logs) is. An existing directory is left as it is.
    static func makeDirectory(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Whether there is a state at `path` to open. A missing file is no state (`create` makes
    /// one); a file that is there must be an orbrec state, or it is refused.
    /// Called with the opening gate held, so two processes never both create it.
    static func exists(path: String) throws -> Bool {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw StateFileRefused(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))") }
            return false
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StateFileRefused(path: path, reason: "is not a regular file") }
        // A state is never empty: `create` links it into place only once it is whole.
        guard info.st_size > 0 else { throw StateFileRefused(path: path, reason: "is empty (0 bytes)") }
        guard try header(of: path) == sqliteMagic else { throw StateFileRefused(path: path, reason: "is not a SQLite database") }
        try checkIsState(path: path)
        return true
    }

    /// Makes a new state at `path`: built and initialised under a temporary name beside it
    /// (0600 from its first byte), then linked into place. A process killed while creating
    /// leaves a temporary file, which the next creation removes, never an empty state.
    static func create(path: String, configuration: Configuration, initialise: (DatabasePool) throws -> Void) throws {
        let temporary = path + ".new"
        for leftover in [temporary, temporary + "-wal", temporary + "-shm"] { unlink(leftover) }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateFileRefused(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))") }
        close(fd)
        defer { unlink(temporary) }
        let database = try DatabasePool(path: temporary, configuration: configuration)
        try initialise(database)
        // Everything into the main file, so the file linked into place is the whole state.
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try database.close()
        // link(2) never replaces: a file that appeared meanwhile (not orbrec's: the gate is held) is kept.
        guard link(temporary, path) == 0 else {
            let reason = errno == EEXIST ? "appeared while a new state was being made" : "cannot be created (\(String(cString: strerror(errno))))"
            throw StateFileRefused(path: path, reason: reason)
        }
    }

    /// Refuses an existing SQLite database that is not an orbrec state. Read only: a
    /// foreign database is not even switched to WAL.
    private static func checkIsState(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let isState = try DatabaseQueue(path: path, configuration: configuration).read { db in
            try db.tableExists("meta") && db.tableExists("grdb_migrations")
        }
        guard isState else { throw StateFileRefused(path: path, reason: "is a SQLite database but not an orbrec state (it has no orbrec tables)") }
    }

    private static func header(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StateFileRefused(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: sqliteMagic.count)
        let count = read(fd, &bytes, bytes.count)
        return count == bytes.count ? bytes : []
    }
}

/// An existing file at the state's path that is not an orbrec state; nothing was written to it.
public struct StateFileRefused: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// What `path` names: a state file, or a PostgreSQL schema.
    var noun = "state file"

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package init(schema location: String, reason: String) {
        path = location
        self.reason = reason
        noun = "state schema"
    }

    public var description: String {
        "the \(noun) \(path) \(reason); refusing to use it, so as not to start a new state over it "
            + "(the machines of the old one would be orphaned). Restore the state from a backup, or give another --state"
    }
}
