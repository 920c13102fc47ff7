public import OrbrecCore

/// Why a machine request or return request was not journaled: a code a program can act on
/// (`unknown-template`, `invalid-count`, `over-limit`, `policy-denied`, `unknown-machine`,
/// `unknown-request`) and a message for a person.
public struct MachineRequestRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: APIErrorCode
    public var message: String
    /// For a return a policy denied (`policy-denied`): the whole report, for a caller that shows
    /// it as it shows a plan's (the CLI); nil otherwise.
    public var policy: PolicyReport?

    public init(_ code: APIErrorCode, _ message: String, policy: PolicyReport? = nil) {
        self.code = code
        self.message = message
        self.policy = policy
    }

    public var description: String { message }
}
