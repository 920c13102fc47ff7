public import Foundation
internal import Glibc

/// A small file written whole under a temporary name, then renamed into place, so a reader
/// sees all of it or none. Not synced: Foundation's `Data.write` syncs every file, which cost
/// a millisecond an attempt; what these files hold is either in the journal once orbrec has
/// read it, or found again (a lost result makes its attempt lost, and it is retried).
public enum UnsyncedFile {
    public static func write(_ bytes: Data, to path: String) throws {
        // Its own temporary name: a cancel that records an end may write beside the supervisor.
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
