internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecCore
internal import OrbrecAPI

/// The answers of a token that may not do what it asks: 403 naming the scope it lacks, 429
/// with `Retry-After`, 403 for a route no one has given a scope. Same envelope as APIError's,
/// with the one field more a client acts on.
enum AccessRefusal {
    static func missingScope(_ scope: AccessScope, token: String, what: String) -> Response {
        body(.forbidden, code: .missingScope, scope: scope.rawValue,
             message: "the token \(token) lacks the \(scope.rawValue) scope, which \(what) needs")
    }

    static func rateLimited(token: String, retryAfter seconds: Int) -> Response {
        var response = body(.tooManyRequests, code: .rateLimited,
                            message: "the token \(token) is over its rate limit; retry in \(seconds) s")
        response.headers[.retryAfter] = String(seconds)
        return response
    }

    static func unscopedRoute(_ route: String) -> Response {
        body(.forbidden, code: .unscopedRoute,
             message: "\(route) has no scope (RouteScopes.table in Sources/OrbrecServer/Routes/RouteScopes.swift), so no token may call it")
    }

    private static func body(_ status: HTTPResponse.Status, code: APIErrorCode, scope: String? = nil, message: String) -> Response {
        (try? JSONBody.response(ErrorDocument(code, message, scope: scope), status: status)) ?? Response(status: status)
    }
}
