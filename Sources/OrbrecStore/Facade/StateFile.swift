internal import Foundation
internal import GRDB
internal import Glibc

/// The file a state lives in, checked before SQLite is let near it.
///
/// A missing file is created, private (0600, in a 0700 directory when orbrec makes it): it
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

    /// Makes `path` ready to open; returns whether the state is new (the file was made here).
    /// Called with the opening gate held, so two processes never both make it.
    static func prepare(path: String) throws -> Bool {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw StateFileRefused(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))") }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StateFileRefused(path: path, reason: "cannot be created (\(String(cString: strerror(errno))))") }
            close(fd)
            return true
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StateFileRefused(path: path, reason: "is not a regular file") }
        // A state is never empty: its first open writes SQLite's header (the switch to WAL).
        guard info.st_size > 0 else { throw StateFileRefused(path: path, reason: "is empty (0 bytes)") }
        guard try header(of: path) == sqliteMagic else { throw StateFileRefused(path: path, reason: "is not a SQLite database") }
        return false
    }

    /// Refuses an existing SQLite database that is not an orbrec state. Read only: a
    /// foreign database is not even switched to WAL.
    static func checkIsState(path: String) throws {
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

    public var description: String {
        "the state file \(path) \(reason); refusing to use it, so as not to start a new state over it "
            + "(the machines of the old one would be orphaned). Restore the state from a backup, or give another --state"
    }
}
