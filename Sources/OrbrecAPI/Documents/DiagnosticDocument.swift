public import OrbrecCore

/// A problem with its code and, when it has one, its `file:line:col`.
public struct DiagnosticDocument: Encodable, Sendable {
    public var code: String
    public var message: String
    public var location: String?

    public init(_ diagnostic: Diagnostic) {
        code = diagnostic.code
        message = diagnostic.message
        location = diagnostic.location?.description
    }
}
