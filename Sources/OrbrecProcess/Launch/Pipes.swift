internal import Glibc

public enum Pipes {
    /// A pipe (read end, write end) with `flags` (O_CLOEXEC, O_NONBLOCK) on both ends.
    public static func make(flags: Int32) -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard fds.withUnsafeMutableBufferPointer({ systemPipe2($0.baseAddress!, flags) }) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// Makes `fd` non-blocking (orbrec's end of a child's pipe).
    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
}
