public import Foundation
internal import Logging
internal import MCP
public import OrbrecCore

/// The MCP server behind the daemon's `POST /mcp`: stateless Streamable HTTP (each request a
/// JSON-RPC message, each answer a JSON body), the same tools as `orbrec mcp`. The daemon's
/// HTTP layer authenticates the request first (bearer token, Host check).
public final class MCPHTTPEndpoint: Sendable {
    private let transport: StatelessHTTPServerTransport
    /// Kept alive for as long as the endpoint serves.
    private let server: Server

    private init(transport: StatelessHTTPServerTransport, server: Server) {
        self.transport = transport
        self.server = server
    }

    /// Starts the MCP server on a stateless HTTP transport.
    public static func start(_ mcp: OrbrecMCPServer) async throws -> MCPHTTPEndpoint {
        let logger = Logger(label: "orbrec.mcp.http", factory: { _ in SwiftLogNoOpLogHandler() })
        let transport = StatelessHTTPServerTransport(logger: logger)
        let server = await mcp.makeServer()
        try await server.start(transport: transport) { client, _ in
            mcp.backend.log("MCP client connected over HTTP", [("client", client.name), ("version", client.version)])
        }
        return MCPHTTPEndpoint(transport: transport, server: server)
    }

    /// Answers one HTTP request: its status, headers and body. A tool call is answered only
    /// when `scopes` (the caller's token's) hold the tool's scope (ToolScopes).
    public func handle(method: String, headers: [String: String], body: Data, path: String,
                       scopes: Set<AccessScope>) async -> (status: Int, headers: [String: String], body: Data) {
        if let refused = Self.refusal(body, scopes: scopes) { return refused }
        let response = await transport.handleRequest(HTTPRequest(method: method, headers: headers, body: body, path: path))
        let answer = response.bodyData ?? Data()
        guard let listed = Self.toolsListed(answer, for: body, scopes: scopes) else { return (response.statusCode, response.headers, answer) }
        return (response.statusCode, response.headers.filter { $0.key.lowercased() != "content-length" }, listed)
    }

    public func stop() async { await server.stop() }
}
