internal import Hummingbird
internal import HTTPTypes

/// A body announced larger than the limit is 413 on every route, before anything reads it,
/// whether or not the route takes a body. A chunked body has no length up front: the routes
/// that read one stop at the limit (`Request.boundedBody`).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBody: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength] {
            // An unparseable length never gets here: the HTTP parser refuses it with 400.
            guard let bytes = Int(length), bytes <= maxBody else { throw APIError.tooLarge(maxBody) }
        }
        return try await next(request, context)
    }
}
