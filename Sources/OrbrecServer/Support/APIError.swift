public import HTTPTypes

/// An error the API answers with: an HTTP status, a stable code and a message, rendered
/// as `{"error": {"code": …, "message": …}}`.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not-found", what) }

    static func tooLarge(_ limit: Int?) -> APIError {
        APIError(.contentTooLarge, "too-large", limit.map { "the body is over \($0 / 1024) KiB" } ?? "the body is too large")
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required (Authorization: Bearer …)")
}
