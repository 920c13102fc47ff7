public import OrbrecCore

/// Why a workflow run was not started, cancelled or found: a code a program can act on
/// (`unknown-workflow`, `unknown-run`, `run-in-progress`, `run-finished`,
/// `idempotency_key_reused`, `not-ready`) and a message for a person; the same code over HTTP,
/// MCP and the command line.
public struct WorkflowRunRefused: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: APIErrorCode
    public var message: String
    /// The runs still running, for `run-in-progress` (newest first).
    public var running: [String]

    public init(_ code: APIErrorCode, _ message: String, running: [String] = []) {
        self.code = code
        self.message = message
        self.running = running
    }

    public var description: String { message }
}
