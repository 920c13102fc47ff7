internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecStore

/// An error the API answers with: an HTTP status, a stable code and a message, rendered
/// as `{"error": {"code": …, "message": …}}` (ErrorDocument, as MCP's tool failures). Thrown
/// anywhere below the router, it is answered by the router itself (HTTPResponseError).
struct APIError: Error, Sendable, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: APIErrorCode
    var message: String

    init(_ status: HTTPResponse.Status, _ code: APIErrorCode, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.error(self)
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, .notFound, what) }

    static func tooLarge(_ limit: Int?) -> APIError {
        APIError(.contentTooLarge, .tooLarge, limit.map { "the body is over \($0 / 1024) KiB" } ?? "the body is too large")
    }

    /// A follower of a shared state acts on nothing: the leader does (its API named when known).
    static func notLeader(_ leader: LeaderRecord?) -> APIError {
        let where_ = leader?.api.map { " at \($0)" } ?? ""
        return APIError(.serviceUnavailable, .notLeader,
                        "this daemon follows; the leader\(where_) reconciles the state" + (leader?.holder == nil ? " (none is elected yet)" : ""))
    }

    static let unauthorized = APIError(.unauthorized, .unauthorized, "a valid bearer token is required (Authorization: Bearer …)")
}
