internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore

/// On loopback, only requests addressed to a loopback name are served. A web page that
/// rebinds its own DNS name to 127.0.0.1 would otherwise read the API (its GETs need no
/// token there) from the user's browser; its requests carry the page's name as `Host`.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, Self.isLoopbackAuthority(authority) else {
            throw APIError(.misdirectedRequest, .misdirected, "this API answers only to localhost, 127.0.0.1 or [::1]")
        }
        return try await next(request, context)
    }

    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return APIServer.isLoopback(String(host).lowercased())
    }
}
