public import OrbrecCore

/// Why a task was not posted to, cancelled in or read from an api pool: a code a program can
/// act on and a message for a person. The codes: `unknown-pool`, `not-an-api-pool`,
/// `invalid-key`, `invalid-args`, `task-exists` (the key was posted with other args),
/// `idempotency_key_reused` (the key made another task), `unknown-task`, `not-ready`.
public struct TaskRequestRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: APIErrorCode
    public var message: String

    public init(_ code: APIErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
