internal import HTTPTypes
internal import OrbrecCore

/// Who may call each route: the one table AuthMiddleware reads, keyed by method and path as
/// the router registered them (`{name}` for a path parameter; HEAD goes as GET).
///
/// A new route must be added here: a route missing from the table is refused to every caller
/// (403 `unscoped-route`), never opened, and RouteScopesTests fails for it. On loopback the
/// `read` routes are open without a token, as before there were scopes.
enum RouteScopes {
    /// Every route and its access, as a dictionary.
    static let table: [String: RouteAccess] = Dictionary(routes, uniquingKeysWith: { first, _ in first })

    /// Written as a list, so that a route given twice (two edits merged) fails RouteScopesTests
    /// instead of stopping the daemon at start, as a duplicate key in a dictionary literal would.
    static let routes: [(String, RouteAccess)] = [
        ("GET /healthz", .open),
        ("GET /readyz", .open),
        // Discovery says how to authenticate, so it is read before any token is held (DiscoveryRoutes).
        ("GET /.well-known/agent.json", .open),
        ("GET /metrics", .scoped(.read)),
        ("GET /api/v1/openapi.json", .scoped(.read)),
        ("GET /api/v1/resources", .scoped(.read)),
        ("GET /api/v1/fleets", .scoped(.read)),
        ("GET /api/v1/machines", .scoped(.read)),
        ("GET /api/v1/requests", .scoped(.read)),
        ("GET /api/v1/requests/{id}", .scoped(.read)),
        ("GET /api/v1/templates", .scoped(.read)),
        ("GET /api/v1/templates/{id}", .scoped(.read)),
        ("GET /api/v1/tasks", .scoped(ScopeRequirement(.read, or: [.worker]))),
        ("GET /api/v1/actions", .scoped(.read)),
        ("GET /api/v1/events", .scoped(.read)),
        // The lease API (LeaseRoutes).
        ("POST /api/v1/pools/{pool}/claim", .scoped(.worker)),
        ("POST /api/v1/tasks/{id}/heartbeat", .scoped(.worker)),
        ("POST /api/v1/tasks/{id}/complete", .scoped(.worker)),
        ("POST /api/v1/tasks/{id}/fail", .scoped(.worker)),
        ("POST /api/v1/tasks/{id}/release", .scoped(.worker)),
        // Writes that change what orbrec does.
        ("POST /api/v1/reconcile", .scoped(.operate)),
        ("POST /api/v1/machines/request", .scoped(.operate)),
        ("POST /api/v1/machines/return", .scoped(.operate)),
        // Tasks of API-fed pools (TaskRoutes).
        ("GET /api/v1/pools/{pool}/tasks", .scoped(ScopeRequirement(.read, or: [.worker]))),
        ("GET /api/v1/pools/{pool}/tasks/{key}", .scoped(ScopeRequirement(.read, or: [.worker]))),
        ("POST /api/v1/pools/{pool}/tasks", .scoped(.operate)),
        ("DELETE /api/v1/pools/{pool}/tasks/{key}", .scoped(.operate)),
        // Workflow runs (WorkflowRoutes).
        ("GET /api/v1/workflows", .scoped(.read)),
        ("GET /api/v1/workflows/{name}", .scoped(.read)),
        ("GET /api/v1/workflows/{name}/runs", .scoped(.read)),
        ("GET /api/v1/workflows/{name}/runs/{id}", .scoped(.read)),
        ("POST /api/v1/workflows/{name}/runs", .scoped(.operate)),
        ("POST /api/v1/workflows/{name}/runs/{id}/cancel", .scoped(.operate)),
        // A scheduler's queues, asked of it now (QueueRoutes).
        ("GET /api/v1/schedulers/{name}/partitions", .scoped(.read)),
        ("GET /api/v1/schedulers/{name}/jobs", .scoped(.read)),
        // The web console (ConsoleRoutes): files without data, open so the page can ask for a
        // token; what it shows comes from the routes above and below, each with its own scope.
        ("GET /", .open),
        ("GET /console/{asset}", .open),
        // What the console added (ConsoleAPIRoutes).
        ("GET /api/v1/pools/{pool}/tasks/{key}/logs", .scoped(.read)),
        ("POST /api/v1/pools/{pool}/requeue", .scoped(.operate)),
        ("GET /api/v1/plan", .scoped(.read)),
        ("GET /api/v1/whoami", .scoped(.read)),
        // Any token may speak MCP; each tool call is checked against the tool's scope (OrbrecMCP's ToolScopes).
        ("POST /mcp", .anyToken),
    ]

    /// The access rule of a route the router matched; nil when the table has none.
    static func access(_ method: HTTPRequest.Method, _ path: String) -> RouteAccess? {
        table[key(method, path)]
    }

    static func key(_ method: HTTPRequest.Method, _ path: String) -> String {
        "\(method == .head ? HTTPRequest.Method.get : method) \(path)"
    }
}

/// What a route asks of its caller.
enum RouteAccess: Sendable, Equatable {
    /// Anyone, token or not: health checks.
    case open
    /// A token with this scope (or one of its alternatives). On loopback, reads need none.
    case scoped(ScopeRequirement)
    /// Any valid token; the handler checks more (each MCP tool has its own scope).
    case anyToken
}
