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

    /// A code given as text must be one of `APIErrorCode`'s: for work written before the codes
    /// were an enumeration. Use a case.
    @available(*, deprecated, message: "pass an APIErrorCode case")
    public init(_ code: String, _ message: String) {
        guard let known = APIErrorCode(rawValue: code) else {
            assertionFailure("\(code) is not an APIErrorCode")
            self.init(.internalError, message)
            return
        }
        self.init(known, message)
    }

    public var description: String { message }
}
