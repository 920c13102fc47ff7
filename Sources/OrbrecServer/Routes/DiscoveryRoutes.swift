internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import NIOCore
internal import OrbrecEngine
internal import OrbrecAPI

/// `GET /.well-known/agent.json`, open to every caller on every address: it says how to
/// authenticate, so it must be readable before a token is held, and it holds nothing secret:
/// the routes, the scopes they need and where the OpenAPI document and MCP endpoint are, all of
/// it public in orbrec's documentation (the OpenAPI document itself still needs `read`).
struct DiscoveryRoutes: Sendable {
    let servesMCP: Bool
    let loopbackOnly: Bool

    func register(on router: Router<ServerContext>) {
        // The same bytes for every call: made once, from the document embedded in the binary.
        let body = (try? Self.encoded(AgentCard(openapi: OpenAPIDocument.json, servesMCP: servesMCP, loopbackOnly: loopbackOnly))) ?? Data()
        router.get(RouterPath(AgentCard.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static func encoded(_ card: AgentCard) throws -> Data {
        var data = try APIJSON.data(card)
        data.append(0x0A)
        return data
    }
}
