internal import Glibc
internal import Synchronization

/// Wakes the inotify thread out of `poll()`: one end of a socket pair, polled next to the
/// inotify fd. The owning thread closes both ends on its way out; the lock keeps `signal()`
/// from writing to a number that may by then belong to some other file.
final class StopSignal: Sendable {
    private struct State {
        var open = true
        var signalled = false
    }

    /// For the owning thread's `poll()` only.
    let fd: Int32
    private let writeEnd: Int32
    private let state = Mutex(State())

    init() throws(WatcherError) {
        var ends: [Int32] = [-1, -1]
        // A socket pair because Glibc's module map exports neither eventfd nor pipe2, and
        // close-on-exec must be set atomically: other threads of the daemon spawn processes.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, type, 0, &ends) == 0 else {
            throw WatcherError.fromErrno(code: "socketpair", what: "socketpair")
        }
        fd = ends[0]
        writeEnd = ends[1]
    }

    func signal() {
        state.withLock { state in
            guard state.open, !state.signalled else { return }
            state.signalled = true
            var byte: UInt8 = 1
            _ = send(writeEnd, &byte, 1, Int32(MSG_NOSIGNAL))
        }
    }

    func close() {
        state.withLock { state in
            guard state.open else { return }
            state.open = false
            _ = Glibc.close(fd)
            _ = Glibc.close(writeEnd)
        }
    }
}
