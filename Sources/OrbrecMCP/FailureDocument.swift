internal import OrbrecCore

/// A failed call's body: `{"error": {"code", "message", "diagnostics": [{"code", "message", "location", "rendered"}]}}`.
struct FailureDocument: Encodable, Sendable {
    struct Body: Encodable, Sendable {
        var code: String
        var message: String
        var diagnostics: [Problem]?
    }

    struct Problem: Encodable, Sendable {
        var code: String
        var severity: String
        var message: String
        /// `file:line:col`, when the problem has a place.
        var location: String?
        /// `file:line:col: error: message`, as `orbrec validate` prints it.
        var rendered: String

        init(_ diagnostic: Diagnostic) {
            code = diagnostic.code
            severity = diagnostic.severity.rawValue
            message = diagnostic.message
            location = diagnostic.location?.description
            rendered = diagnostic.rendered
        }
    }

    var error: Body

    init(_ failure: ToolFailure) {
        error = Body(code: failure.code, message: failure.message,
                     diagnostics: failure.diagnostics.isEmpty ? nil : failure.diagnostics.map(Problem.init))
    }
}
