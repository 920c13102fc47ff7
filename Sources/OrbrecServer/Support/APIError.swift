public import HTTPTypes
internal import OrbrecStore

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

    /// A follower of a shared state acts on nothing: the leader does (its API named when known).
    static func notLeader(_ leader: LeaderRecord?) -> APIError {
        let where_ = leader?.api.map { " at \($0)" } ?? ""
        return APIError(.serviceUnavailable, "not-leader",
                        "this daemon follows; the leader\(where_) reconciles the state" + (leader?.holder == nil ? " (none is elected yet)" : ""))
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required (Authorization: Bearer …)")
}
