internal import Glibc

/// A program that could not be started: the errno posix_spawn gave (ENOENT: no such program).
public struct SpawnError: Error, Sendable, Hashable {
    public var code: Int32
    public var program: String

    public init(code: Int32, program: String) {
        self.code = code
        self.program = program
    }

    public var message: String { String(cString: strerror(code)) }

    /// No such program (ENOENT), as a shell's 127.
    public var isNotFound: Bool { code == ENOENT }
}
