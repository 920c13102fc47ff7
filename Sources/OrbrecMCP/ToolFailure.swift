public import OrbrecCore

/// Why a tool call failed, as the caller is told: a stable code, a message, and the
/// diagnostics (with `file:line:col`) when the configuration is at fault. Rendered as a
/// result with `isError: true`, never as a protocol error, so an agent can read and act on it.
public struct ToolFailure: Error, Sendable, Hashable {
    /// `invalid_arguments`, `invalid_configuration`, `unknown_pool`, `not_a_pull_pool`,
    /// `unknown_task`, `not_requeueable`, `no_state`, `not_found`, `stale_attempt`,
    /// `state_locked`, `plan_failed`, `internal`; and the machine request tools' codes, the same as
    /// the API's (`unknown-template`, `invalid-count`, `over-limit`, `policy-denied`, `unknown-machine`,
    /// `unknown-request`, `already-returning`, `idempotency_key_reused`, `not-leader`).
    public var code: String
    public var message: String
    public var diagnostics: [Diagnostic]

    public init(_ code: String, _ message: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    static func invalidArguments(_ message: String) -> ToolFailure { ToolFailure("invalid_arguments", message) }

    static func invalidConfiguration(_ diagnostics: [Diagnostic]) -> ToolFailure {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return ToolFailure("invalid_configuration", "\(errors) error(s) in the configuration; fix them and call again",
                           diagnostics: diagnostics)
    }

    static func stale(_ message: String) -> ToolFailure {
        ToolFailure("stale_attempt", "\(message); this worker no longer holds the attempt: claim a new task")
    }
}
