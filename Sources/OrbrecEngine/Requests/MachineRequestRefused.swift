public import OrbrecCore

/// Why a machine request or return request was not journaled: a code a program can act on
/// (`unknown-template`, `invalid-count`, `over-limit`, `policy-denied`, `unknown-machine`,
/// `unknown-request`) and a message for a person.
public struct MachineRequestRefused: Error, Sendable, Hashable, CustomStringConvertible {
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
