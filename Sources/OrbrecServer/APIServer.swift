public import Foundation
public import OrbrecEngine
public import OrbrecStore
internal import Hummingbird
// HummingbirdCore and NIOHTTPTypes come with Hummingbird: its HTTP/1 channel's configuration.
internal import HummingbirdCore
internal import HTTPTypes
internal import Logging
internal import NIOCore
public import OrbrecCore

/// The daemon's HTTP face: the REST API under /api/v1, the event stream, /metrics and
/// health. It reads the journal and the loop's status; it changes nothing but the queue.
public struct APIServer: Sendable {
    public let host: String
    public let port: Int
    /// The tokens in force, their rate limits and the refusals counted (AuthMiddleware).
    let access: AccessControl
    let store: StateStore
    let loop: ReconcileLoop
    let pulse: EventPulse
    let log: DaemonLog
    /// Answers `POST /mcp` (MCP over Streamable HTTP), when the daemon serves MCP: method,
    /// headers, body and the caller's scopes in (each tool call is checked against them);
    /// status, headers and body out. Kept as a plain function so this module needs nothing of
    /// the MCP library.
    let mcp: MCPHandler?
    let limits: HTTPLimits
    /// Where the daemon's local scheduler keeps attempts' output (`orbrec tasks logs`), for the
    /// console's logs route; nil when not known (the route then finds only recorded locations).
    public var taskDirectory: String?

    public typealias MCPHandler = @Sendable (_ method: String, _ headers: [String: String], _ body: Data, _ scopes: Set<AccessScope>)
        async -> (status: Int, headers: [String: String], body: Data)

    public init(host: String, port: Int, access: AccessControl, store: StateStore, loop: ReconcileLoop, pulse: EventPulse, log: DaemonLog,
                mcp: MCPHandler? = nil, limits: HTTPLimits = HTTPLimits()) {
        self.mcp = mcp
        self.limits = limits
        self.host = host
        self.port = port
        self.access = access
        self.store = store
        self.loop = loop
        self.pulse = pulse
        self.log = log
    }

    /// A server whose one token (or none) may do everything.
    public init(host: String, port: Int, token: BearerToken?, store: StateStore, loop: ReconcileLoop, pulse: EventPulse, log: DaemonLog,
                mcp: MCPHandler? = nil, limits: HTTPLimits = HTTPLimits()) {
        self.init(host: host, port: port, access: AccessControl(keyring: TokenKeyring(single: token)), store: store, loop: loop,
                  pulse: pulse, log: log, mcp: mcp, limits: limits)
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, or `localhost`): anything
    /// else needs a token to serve. Names other than `localhost` are never trusted, even
    /// when they start with "127.".
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil && !$0.isEmpty }) else { return false }
        return octets[0] == "127"
    }

    /// Serves until the task is cancelled. `onListening` receives `host:port` once bound
    /// (the port the kernel chose when asked for port 0).
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        let router = makeRouter()
        let limits = self.limits
        var logger = Logger(label: "orbrec.http")
        logger.logLevel = .critical
        // The idle timeout counts from the last whole request head or body part, so it is also
        // the header-read timeout: bytes that never make a head do not keep a connection.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuardHandler(requestTimeout: TimeAmount(limits.requestTimeout))],
                                               idleTimeout: TimeAmount(limits.idleTimeout))
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: "orbrec",
                                                     availableConnectionsDelegate: .maximum(limits.maxConnections, logger: logger))
        let app = Application(router: router, server: .http1(configuration: http1), configuration: configuration,
                              onServerRunning: { channel in
                                  let bound = channel.localAddress?.port ?? port
                                  let shown = host.contains(":") ? "[\(host)]:\(bound)" : "\(host):\(bound)"
                                  onListening(shown)
                              }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// The routes and their middleware, as served: `run` serves them, and tests call them in
    /// process (OpenAPIConformanceTests).
    func makeRouter() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self, options: [.autoGenerateHeadEndpoints])
        let loopbackOnly = Self.isLoopback(host)
        let limits = self.limits
        router.add(middleware: JSONErrorMiddleware { [log] in log.emit(.error, "request failed", [("error", $0)]) })
        router.add(middleware: DuplicateHostMiddleware())
        if loopbackOnly { router.add(middleware: HostCheckMiddleware()) }
        router.add(middleware: BodyLimitMiddleware(maxBody: limits.maxBody))
        router.add(middleware: AuthMiddleware(access: access, loopbackOnly: loopbackOnly))
        APIRoutes(store: store, loop: loop, pulse: pulse, access: access, loopbackOnly: loopbackOnly,
                  streams: StreamCounter(limit: limits.eventStreams, perClient: limits.eventStreamsPerClient),
                  limits: limits).register(on: router)
        DiscoveryRoutes(servesMCP: mcp != nil, loopbackOnly: loopbackOnly).register(on: router)
        // The web console at / and the API routes it added (Console/).
        ConsoleRoutes().register(on: router)
        ConsoleAPIRoutes(store: store, loop: loop, access: access, loopbackOnly: loopbackOnly, limits: limits,
                         taskDirectory: taskDirectory).register(on: router.group("/api/v1"))
        if let mcp {
            // POST only (stateless: no server-sent stream, no session to delete). Any valid token
            // gets in (RouteScopes); each tool call is checked against its scopes.
            router.post("/mcp") { request, context in
                let body = try await request.boundedBody(limits)
                var headers: [String: String] = [:]
                for field in request.headers where field.name != .authorization { headers[field.name.canonicalName] = field.value }
                let answer = await mcp(request.method.rawValue, headers, body, context.caller?.scopes ?? [])
                var fields = HTTPFields()
                for (name, value) in answer.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
                return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        return router
    }
}
