public import Foundation
public import OrbrecEngine
public import OrbrecStore
internal import Hummingbird
internal import HTTPTypes
internal import Logging
internal import NIOCore

/// The daemon's HTTP face: the REST API under /api/v1, the event stream, /metrics and
/// health. It reads the journal and the loop's status; it changes nothing but the queue.
public struct APIServer: Sendable {
    public let host: String
    public let port: Int
    let token: BearerToken?
    let store: StateStore
    let loop: ReconcileLoop
    let pulse: EventPulse
    let log: DaemonLog
    /// Answers `POST /mcp` (MCP over Streamable HTTP), when the daemon serves MCP: method,
    /// headers and body in; status, headers and body out. Kept as a plain function so this
    /// module needs nothing of the MCP library.
    let mcp: MCPHandler?

    public typealias MCPHandler = @Sendable (_ method: String, _ headers: [String: String], _ body: Data)
        async -> (status: Int, headers: [String: String], body: Data)

    public init(host: String, port: Int, token: BearerToken?, store: StateStore, loop: ReconcileLoop, pulse: EventPulse, log: DaemonLog,
                mcp: MCPHandler? = nil) {
        self.mcp = mcp
        self.host = host
        self.port = port
        self.token = token
        self.store = store
        self.loop = loop
        self.pulse = pulse
        self.log = log
    }

    /// Event streams served at once; more are answered 503.
    public static let maxEventStreams = 64

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
        let router = Router(context: BasicRequestContext.self, options: [.autoGenerateHeadEndpoints])
        let loopbackOnly = Self.isLoopback(host)
        router.add(middleware: JSONErrorMiddleware { [log] in log.emit(.error, "request failed", [("error", $0)]) })
        if loopbackOnly { router.add(middleware: HostCheckMiddleware()) }
        router.add(middleware: AuthMiddleware(token: token, loopbackOnly: loopbackOnly))
        APIRoutes(store: store, loop: loop, pulse: pulse, token: token, loopbackOnly: loopbackOnly,
                  streams: StreamCounter(limit: Self.maxEventStreams)).register(on: router)
        if let mcp {
            // POST only (stateless: no server-sent stream, no session to delete). The token and
            // Host checks above apply as to every POST.
            router.post("/mcp") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers where field.name != .authorization { headers[field.name.canonicalName] = field.value }
                let answer = await mcp(request.method.rawValue, headers, Data(body.readableBytesView))
                var fields = HTTPFields()
                for (name, value) in answer.headers { if let name = HTTPField.Name(name) { fields[name] = value } }
                return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        var logger = Logger(label: "orbrec.http")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port),
                                                                                    serverName: "orbrec"),
                              onServerRunning: { channel in
                                  let bound = channel.localAddress?.port ?? port
                                  let shown = host.contains(":") ? "[\(host)]:\(bound)" : "\(host):\(bound)"
                                  onListening(shown)
                              }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }
}
