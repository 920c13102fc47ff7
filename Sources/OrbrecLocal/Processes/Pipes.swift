internal import Glibc

/// glibc's pipe2 (a GNU extension), which Swift does not import.
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

enum Pipes {
    /// A pipe (read end, write end) with `flags` (O_CLOEXEC, O_NONBLOCK) on both ends.
    static func make(flags: Int32) -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard fds.withUnsafeMutableBufferPointer({ systemPipe2($0.baseAddress!, flags) }) == 0 else { return nil }
        return (fds[0], fds[1])
    }
}
