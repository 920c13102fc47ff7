import Foundation
import HTTPTypes
import Hummingbird
import OrbrecCore
import OrbrecEngine
@testable import OrbrecServer
import OrbrecStore
import Testing

/// RouteScopes is the one place a route gets its scope: every route the server registers must
/// be in it, or no token may call the route.
@Suite("Server: the scope of every route")
struct RouteScopesTests {
    /// The routes `orbrec run` serves, MCP included, as `METHOD /path/{parameter}`.
    static func registeredRoutes() throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-routes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(path: directory + "/state.db")
        let reconciler = Reconciler(store: store, providerFactory: { _ in nil }, actor: "test@routes")
        let lock = StateLockHooks(acquire: { _ in "lock-none" }, release: { _ in })
        let loop = ReconcileLoop(reconciler: reconciler, store: store, options: DaemonOptions(), lock: lock, log: DaemonLog { _, _, _ in })
        let server = APIServer(host: "127.0.0.1", port: 0, token: nil, store: store, loop: loop, pulse: EventPulse(), log: DaemonLog { _, _, _ in },
                               mcp: { _, _, _, _ in (200, [:], Data()) })
        return server.makeRouter().routes.map { "\($0.method) \($0.path)" }
    }

    @Test func everyRegisteredRouteHasAScope() throws {
        let routes = try Self.registeredRoutes()
        #expect(routes.count >= 23, "\(routes)")
        let missing = routes.filter { RouteScopes.table[$0] == nil && !$0.hasPrefix("HEAD ") }
        #expect(missing.isEmpty, "give these routes a scope in RouteScopes.table: \(missing)")
        for route in routes where route.hasPrefix("HEAD ") {
            #expect(RouteScopes.table["GET " + route.dropFirst(5)] != nil, "\(route) goes as its GET")
        }
    }

    @Test func noRouteIsGivenTwice() {
        let keys = RouteScopes.routes.map(\.0)
        #expect(Set(keys).count == keys.count, "given twice: \(Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
    }

    @Test func writesNeverGoAsReadsAndReadsNeverNeedMoreThanRead() {
        for (route, access) in RouteScopes.table {
            let isRead = route.hasPrefix("GET ")
            switch access {
            case .open:
                // The web console's page and files hold no data (its calls are scoped).
                #expect(["GET /healthz", "GET /readyz", "GET /", "GET /console/{asset}"].contains(route) || route.hasPrefix("GET /.well-known/"),
                        "\(route) is open")
            case .scoped(let requirement):
                #expect(isRead == (requirement.scope == .read), "\(route): \(requirement)")
                if !isRead { #expect(!requirement.alternatives.contains(.read), "\(route)") }
            case .anyToken:
                #expect(route == "POST /mcp", "\(route)")
            }
        }
        #expect(RouteScopes.access(.post, "/api/v1/machines/return") == .scoped(.operate))
        #expect(RouteScopes.access(.post, "/api/v1/reconcile") == .scoped(.operate))
        #expect(RouteScopes.access(.post, "/api/v1/pools/{pool}/claim") == .scoped(.worker))
        for verb in ["heartbeat", "complete", "fail", "release"] {
            #expect(RouteScopes.access(.post, "/api/v1/tasks/{id}/\(verb)") == .scoped(.worker))
        }
        #expect(RouteScopes.access(.head, "/api/v1/tasks") == .scoped(ScopeRequirement(.read, or: [.worker])))
        #expect(RouteScopes.access(.delete, "/api/v1/reconcile") == nil, "a method no route has is in no table")
    }
}
