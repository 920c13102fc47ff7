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

    public var description: String { message }
}
