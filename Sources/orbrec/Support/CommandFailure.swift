internal import OrbrecCore

/// A failure a command reports and exits with; rendered once, at the top.
struct CommandFailure: Error {
    var status: ExitStatus
    var message: String
    var diagnostics: [Diagnostic]

    init(_ status: ExitStatus = .error, _ message: String, diagnostics: [Diagnostic] = []) {
        self.status = status
        self.message = message
        self.diagnostics = diagnostics
    }
}

extension CommandFailure: CustomStringConvertible {
    var description: String { message }
}
