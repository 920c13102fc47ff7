internal import Foundation
internal import OrbrecCore

/// `GET /.well-known/agent.json`: what a program needs before it calls anything: where the
/// OpenAPI document and the MCP endpoint are, what the API can do (its capabilities, each a
/// tag of the OpenAPI document with its routes and the scope each needs), and how to
/// authenticate. Built from the OpenAPI document and the scope table, so it names exactly the
/// routes that are served and documented, never a list kept by hand beside them.
struct AgentCard: Encodable, Sendable {
    struct Links: Encodable, Sendable {
        var this = AgentCard.path
        var openapi = "/api/v1/openapi.json"
        var mcp: String?
        var events = "/api/v1/events"
        var health = "/healthz"
        var readiness = "/readyz"
        var metrics = "/metrics"

        enum CodingKeys: String, CodingKey {
            case openapi, mcp, events, health, readiness, metrics
            case this = "self"
        }
    }

    struct Authentication: Encodable, Sendable {
        struct Scope: Encodable, Sendable {
            var name: String
            var description: String
        }

        struct Refusal: Encodable, Sendable {
            var status: Int
            var code: APIErrorCode
            var description: String
        }

        var scheme = "bearer"
        var header = "Authorization: Bearer <token>"
        var description: String
        var scopes: [Scope]
        /// On loopback, the `read` routes answer without a token.
        var readsWithoutToken: Bool
        var refusals: [Refusal]

        enum CodingKeys: String, CodingKey {
            case scheme, header, description, scopes, refusals
            case readsWithoutToken = "reads_without_token"
        }
    }

    struct MCP: Encodable, Sendable {
        var endpoint = "/mcp"
        var transport = "streamable-http"
        var description = "POST JSON-RPC 2.0 messages (stateless: no session, no server-sent stream); tools/list names the tools "
            + "with their input schemas; each tool call needs its own scope (reads read, writes operate, lease calls worker)."
    }

    struct Capability: Encodable, Sendable {
        var name: String
        var description: String
        var routes: [Route]
    }

    struct Route: Encodable, Sendable {
        var method: String
        var path: String
        var operationId: String
        var summary: String
        /// `none` (no token), `any` (any valid token), or the scope the token needs.
        var scope: String

        enum CodingKeys: String, CodingKey {
            case method, path, summary, scope
            case operationId = "operation_id"
        }
    }

    static let path = "/.well-known/agent.json"

    var name = "orbrec"
    var description = "A declarative reconciler for compute capacity and the work that runs on it: fleets of machines, task pools "
        + "and workflows declared in files, converged with what providers and schedulers report. Programs request and return "
        + "machines, feed and lease tasks, and start and follow workflow runs; every answer that starts something carries "
        + "next_actions (what to call next, and when)."
    var apiVersion = "v1"
    var links: Links
    var authentication: Authentication
    var mcp: MCP?
    var capabilities: [Capability]

    enum CodingKeys: String, CodingKey {
        case name, description, links, authentication, mcp, capabilities
        case apiVersion = "api_version"
    }

    /// The card of a daemon that serves MCP or not, on loopback or beyond, from the OpenAPI
    /// document `openapi` (JSON text).
    init(openapi: String, servesMCP: Bool, loopbackOnly: Bool) {
        links = Links(mcp: servesMCP ? "/mcp" : nil)
        mcp = servesMCP ? MCP() : nil
        authentication = Authentication(
            description: "Send a token the daemon knows as a bearer token. A token carries scopes; a route or MCP tool needs one. "
                + "Health, readiness and this document need none" + (loopbackOnly ? "; on loopback, neither do the read routes." : "."),
            scopes: [
                .init(name: AccessScope.read.rawValue, description: "Every read: the GET routes, the event stream, /metrics, the read-only MCP tools."),
                .init(name: AccessScope.operate.rawValue,
                      description: "Writes that change what orbrec does: reconcile, machine requests and returns, tasks, workflow runs."),
                .init(name: AccessScope.worker.rawValue,
                      description: "A pull pool's worker: claim, heartbeat, complete, fail and release leases; read the tasks it works on."),
            ],
            readsWithoutToken: loopbackOnly,
            refusals: [
                .init(status: 401, code: .unauthorized, description: "No token, or one the daemon does not know (WWW-Authenticate: Bearer)."),
                .init(status: 403, code: .missingScope, description: "The token lacks the scope; the error's `scope` names it."),
                .init(status: 429, code: .rateLimited, description: "The token is over its rate limit; retry after Retry-After seconds."),
            ])
        capabilities = Self.capabilities(openapi, servesMCP: servesMCP)
    }

    /// One capability per tag of the OpenAPI document, in the document's order, each with its
    /// operations and the scope RouteScopes gives them.
    static func capabilities(_ openapi: String, servesMCP: Bool) -> [Capability] {
        guard let document = try? JSONSerialization.jsonObject(with: Data(openapi.utf8)) as? [String: Any],
              let paths = document["paths"] as? [String: Any] else { return [] }
        var order: [String] = []
        var descriptions: [String: String] = [:]
        for tag in document["tags"] as? [[String: Any]] ?? [] {
            guard let name = tag["name"] as? String else { continue }
            order.append(name)
            descriptions[name] = tag["description"] as? String ?? ""
        }
        var routes: [String: [Route]] = [:]
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard servesMCP || path != "/mcp", let operations = item as? [String: Any] else { continue }
            for method in ["get", "post", "put", "delete"] {
                guard let operation = operations[method] as? [String: Any] else { continue }
                let tag = (operation["tags"] as? [String])?.first ?? "other"
                if descriptions[tag] == nil {
                    order.append(tag)
                    descriptions[tag] = tag == "mcp" ? "The MCP tools over Streamable HTTP." : ""
                }
                routes[tag, default: []].append(Route(method: method.uppercased(), path: path, operationId: operation["operationId"] as? String ?? "",
                                                      summary: operation["summary"] as? String ?? "",
                                                      scope: scope(method.uppercased(), path)))
            }
        }
        return order.compactMap { tag in
            guard let found = routes[tag], !found.isEmpty else { return nil }
            return Capability(name: tag, description: descriptions[tag] ?? "", routes: found)
        }
    }

    static func scope(_ method: String, _ path: String) -> String {
        switch RouteScopes.table["\(method) \(path)"] {
        case .open?: "none"
        case .anyToken?: "any"
        case .scoped(let requirement)?:
            ([requirement.scope] + requirement.alternatives.sorted()).map(\.rawValue).joined(separator: " or ")
        case nil: "none-granted"
        }
    }
}
