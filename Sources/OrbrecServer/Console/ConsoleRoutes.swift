internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore

/// The web console: the page at `/` and its files at `/console/{asset}`. They hold no data and
/// are open to anyone who reaches the daemon (RouteScopes); the page then calls the API with
/// the caller's token, so what it shows and does is what that token may read and do. On
/// loopback, HostCheckMiddleware still answers only to loopback names.
struct ConsoleRoutes: Sendable {
    func register(on router: Router<ServerContext>) {
        router.get("/") { _, _ in
            guard let page = ConsoleAssets.response(ConsoleAssets.page) else {
                throw APIError(.notFound, .notFound, "this build has no web console")
            }
            return page
        }
        router.get("/console/:asset") { _, context in
            let name = try context.parameters.require("asset")
            guard name != ConsoleAssets.page, let file = ConsoleAssets.response(name) else {
                throw APIError(.notFound, .notFound, "the console has no file \(name.prefix(64))")
            }
            return file
        }
    }
}
