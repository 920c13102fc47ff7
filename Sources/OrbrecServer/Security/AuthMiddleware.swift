internal import Hummingbird
internal import HTTPTypes

/// Who may do what: health is open; every POST needs the token; when the server listens
/// beyond loopback, everything else needs it too.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken?
    let loopbackOnly: Bool

    static var healthPaths: Set<String> { ["/healthz", "/readyz"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let needsToken = request.method == .post || (!loopbackOnly && !Self.healthPaths.contains(request.uri.path))
        if needsToken {
            guard let token else {
                throw APIError(.unauthorized, "unauthorized", "this needs a bearer token, and the daemon has none: "
                               + "start it with --token-file or ORBREC_TOKEN")
            }
            guard token.accepts(request.headers) else { throw APIError.unauthorized }
        }
        return try await next(request, context)
    }
}
