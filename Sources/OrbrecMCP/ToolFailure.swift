public import OrbrecCore

/// Why a tool call failed, as the caller is told: a stable code, a message, and the
/// diagnostics (with `file:line:col`) when the configuration is at fault. Rendered as a
/// result with `isError: true`, never as a protocol error, so an agent can read and act on it.
public struct ToolFailure: Error, Sendable, Hashable {
    /// As the HTTP API answers the same refusal (`invalid-arguments`, `invalid-configuration`,
    /// `unknown-pool`, `not-a-pull-pool`, `stale_attempt`, an engine refusal's code, …).
    public var code: APIErrorCode
    public var message: String
    public var diagnostics: [Diagnostic]

    public init(_ code: APIErrorCode, _ message: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    static func invalidArguments(_ message: String) -> ToolFailure { ToolFailure(.invalidArguments, message) }

    static func invalidConfiguration(_ diagnostics: [Diagnostic]) -> ToolFailure {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return ToolFailure(.invalidConfiguration, "\(errors) error(s) in the configuration; fix them and call again",
                           diagnostics: diagnostics)
    }

    static func stale(_ message: String) -> ToolFailure {
        ToolFailure(.staleAttempt, "\(message); this worker no longer holds the attempt: claim a new task")
    }
}
