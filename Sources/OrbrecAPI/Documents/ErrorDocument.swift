public import OrbrecCore

/// Every refusal's body, over HTTP and MCP alike: `{"error": {"code", "message", "scope"?,
/// "diagnostics"?}}`. The code is one of `APIErrorCode`'s, so the same refusal reads the same
/// whichever way it was asked.
public struct ErrorDocument: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var code: APIErrorCode
        public var message: String
        /// The scope a token lacks (`missing-scope`).
        public var scope: String?
        /// What is wrong in the configuration, each located (MCP's `invalid-configuration`, `plan-failed`).
        public var diagnostics: [Problem]?
    }

    /// A diagnostic, with `rendered` as `orbrec validate` prints it (`file:line:col: error: message`).
    public struct Problem: Encodable, Sendable {
        public var code: String
        public var severity: String
        public var message: String
        /// `file:line:col`, when the problem has a place.
        public var location: String?
        public var rendered: String

        init(_ diagnostic: Diagnostic) {
            code = diagnostic.code
            severity = diagnostic.severity.rawValue
            message = diagnostic.message
            location = diagnostic.location?.description
            rendered = diagnostic.rendered
        }
    }

    public var error: Body

    public init(_ code: APIErrorCode, _ message: String, scope: String? = nil, diagnostics: [Diagnostic] = []) {
        error = Body(code: code, message: message, scope: scope,
                     diagnostics: diagnostics.isEmpty ? nil : diagnostics.map(Problem.init))
    }
}
