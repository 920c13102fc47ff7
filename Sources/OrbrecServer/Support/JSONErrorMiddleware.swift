internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecCore

/// Every failure answers as JSON with a code and a message. The API's own errors answer for
/// themselves (APIError is an HTTPResponseError, rendered by the router); this turns the others
/// into APIErrors: the router's (unknown path, wrong method), a body over a limit anywhere it
/// is collected, and anything unexpected (logged, not shown).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let onUnexpected: @Sendable (String) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as NIOTooManyBytesError {
            throw APIError.tooLarge(error.maxBytes)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw APIError(error.status, .notFound, error.body ?? error.status.reasonPhrase)
            case .methodNotAllowed: throw APIError(error.status, .methodNotAllowed, error.body ?? error.status.reasonPhrase)
            case .badRequest: throw APIError(error.status, .badRequest, error.body ?? error.status.reasonPhrase)
            // Whatever else the router answers is the caller's request at fault, or the daemon's.
            default: throw APIError(error.status, error.status.code < 500 ? .badRequest : .internalError,
                                    error.body ?? error.status.reasonPhrase)
            }
        } catch {
            onUnexpected("\(request.method) \(request.uri.path): \(error)")
            throw APIError(.internalServerError, .internalError, "the request failed; see the daemon's log")
        }
    }
}
