internal import Hummingbird
internal import HTTPTypes
internal import NIOCore

/// Every failure answers as JSON with a code and a message: the API's own errors, the
/// router's (unknown path, wrong method), a body over a limit anywhere it is collected, and
/// anything unexpected (logged, not shown).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let onUnexpected: @Sendable (String) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONBody.error(error)
        } catch let error as NIOTooManyBytesError {
            return JSONBody.error(APIError.tooLarge(error.maxBytes))
        } catch let error as HTTPError {
            let code = switch error.status {
            case .notFound: "not-found"
            case .methodNotAllowed: "method-not-allowed"
            case .badRequest: "bad-request"
            default: "http-\(error.status.code)"
            }
            return JSONBody.error(APIError(error.status, code, error.body ?? error.status.reasonPhrase))
        } catch {
            onUnexpected("\(request.method) \(request.uri.path): \(error)")
            return JSONBody.error(APIError(.internalServerError, "internal", "the request failed; see the daemon's log"))
        }
    }
}
