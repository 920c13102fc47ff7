internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore

/// A request with two `Host` headers is 400: which one names the server is ambiguous, and the
/// Host check (and any proxy in front) might read a different one from the router's.
struct DuplicateHostMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The first Host becomes the request's authority; any other stays among the fields.
        guard request.headers[values: .host].isEmpty else {
            throw APIError(.badRequest, .duplicateHost, "the request has more than one Host header")
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static var host: HTTPField.Name { HTTPField.Name("Host")! }
}
