public import OrbrecCore
internal import Glibc

/// The lock a running call holds: taken by orbrec before the script starts and passed to it
/// as descriptor 3, so it is free again exactly when the script and what inherited it have
/// ended, even if the orbrec that started it died first.
enum CallLock {
    /// Opens and locks `path`; the descriptor is close-on-exec and above 9, so that only the
    /// dup2 onto descriptor 3 reaches the script.
    static func take(_ path: String) throws(ProviderError) -> Int32 {
        let opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard opened >= 0 else {
            throw ProviderError(code: "WorkDirectory", message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let descriptor = fcntl(opened, F_DUPFD_CLOEXEC, 10)
        close(opened)
        guard descriptor >= 0 else {
            throw ProviderError(code: "WorkDirectory", message: "cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ProviderError(code: "CallInProgress", message: "a call named \(path) is already running", retryable: true)
        }
        return descriptor
    }

    /// Whether a script still holds the lock at `path`.
    static func isHeld(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
