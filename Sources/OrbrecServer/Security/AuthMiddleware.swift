internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore

/// Who may do what, by the route the router matched (RouteScopes): health is open; a route's
/// scope is checked against the caller's token, after its rate limit; on loopback, reads need
/// no token. A path no route matches still needs a token where a write or a read beyond
/// loopback would, so a 404 tells nothing to whoever has none.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    let access: AccessControl
    let loopbackOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isRead = request.method == .get || request.method == .head
        var context = context
        guard let path = context.endpointPath else {
            if !isRead || !loopbackOnly {
                if let refusal = authenticate(request, &context.caller) { return refusal }
            }
            return try await next(request, context)
        }
        switch RouteScopes.access(request.method, path) {
        case .none:
            return AccessRefusal.unscopedRoute(RouteScopes.key(request.method, path))
        case .open:
            // Health answers say more to a caller with a valid token; a wrong one is not refused here.
            context.caller = access.keyring.identify(request.headers)
            return try await next(request, context)
        case .anyToken:
            if let refusal = authenticate(request, &context.caller) { return refusal }
            return try await next(request, context)
        case .scoped(let requirement):
            if isRead && loopbackOnly && requirement.scope == .read { return try await next(request, context) }
            if let refusal = authenticate(request, &context.caller) { return refusal }
            guard let caller = context.caller, requirement.isMet(by: caller.scopes) else {
                access.refusals.count(.missingScope)
                return AccessRefusal.missingScope(requirement.scope, token: context.caller?.name ?? "?",
                                                  what: RouteScopes.key(request.method, path))
            }
            return try await next(request, context)
        }
    }

    /// Finds the token the request presents and counts it against its rate limit; the answer
    /// to send instead when there is none or it is over its limit (or throws 401).
    private func authenticate(_ request: Request, _ caller: inout TokenEntry?) -> Response? {
        guard !access.keyring.isEmpty else {
            access.refusals.count(.unauthorized)
            return JSONBody.error(APIError(.unauthorized, .unauthorized, "this needs a bearer token, and the daemon has none: "
                                           + "start it with --token-file, --tokens-file or ORBREC_TOKEN"))
        }
        guard let entry = access.keyring.identify(request.headers) else {
            access.refusals.count(.unauthorized)
            return JSONBody.error(APIError.unauthorized)
        }
        if let wait = access.limiter.admit(entry.name, entry.rateLimit) {
            access.refusals.count(.rateLimited)
            return AccessRefusal.rateLimited(token: entry.name, retryAfter: wait)
        }
        caller = entry
        return nil
    }
}
