import Foundation
import NIOHTTP1
import Testing

/// `GET /.well-known/agent.json` from a real `orbrec run`: readable without a token on every
/// address, and every link and every parameterless read route it names answers.
@Suite("Discovery document", .serialized)
struct DiscoveryTests {
    static let token = "discovery-test-token-0123456789abcdef"

    static func card(_ daemon: DaemonProcess) async throws -> [String: Any] {
        let reply = try await daemon.get("/.well-known/agent.json")
        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
        return try reply.object()
    }

    @Test("On loopback: links, capabilities with their scopes, and how to authenticate; every link answers")
    func theCardLinksWhatAnswers() async throws {
        let h = try Harness()
        try h.writeFleet(count: 0)
        let daemon = try h.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready", timeout: 30) { try await daemon.get("/readyz").status == 200 ? true : nil }

        let card = try await Self.card(daemon)
        #expect(card["name"] as? String == "orbrec")
        let links = card["links"] as? [String: String] ?? [:]
        #expect(links["self"] == "/.well-known/agent.json" && links["openapi"] == "/api/v1/openapi.json" && links["mcp"] == "/mcp", "\(links)")
        let authentication = card["authentication"] as? [String: Any] ?? [:]
        #expect(authentication["scheme"] as? String == "bearer" && authentication["reads_without_token"] as? Bool == true, "\(authentication)")
        let scopes = (authentication["scopes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(scopes == ["read", "operate", "worker"], "\(authentication)")
        #expect((card["mcp"] as? [String: Any])?["endpoint"] as? String == "/mcp")

        // The capabilities are the OpenAPI document's tags, each route with the scope it needs.
        let capabilities = Dictionary(uniqueKeysWithValues: (card["capabilities"] as? [[String: Any]] ?? []).map {
            ($0["name"] as? String ?? "", $0["routes"] as? [[String: Any]] ?? [])
        })
        #expect(Set(["workflows", "requests", "pull", "events", "journal"]).isSubset(of: Set(capabilities.keys)), "\(capabilities.keys.sorted())")
        func scope(_ method: String, _ path: String) -> String? {
            capabilities.values.joined().first { $0["method"] as? String == method && $0["path"] as? String == path }?["scope"] as? String
        }
        #expect(scope("POST", "/api/v1/workflows/{name}/runs") == "operate")
        #expect(scope("GET", "/api/v1/workflows/{name}/runs/{id}") == "read")
        #expect(scope("POST", "/api/v1/machines/request") == "operate")
        #expect(scope("POST", "/api/v1/pools/{pool}/claim") == "worker")
        #expect(scope("GET", "/.well-known/agent.json") == "none")
        #expect(scope("POST", "/mcp") == "any")

        // Every route it names is in the OpenAPI document it links, and every link answers.
        let openapi = try await daemon.get(links["openapi"] ?? "", token: Self.token)
        #expect(openapi.status == 200)
        let paths = try openapi.object()["paths"] as? [String: Any] ?? [:]
        for route in capabilities.values.joined() {
            let path = route["path"] as? String ?? ""
            let operation = (paths[path] as? [String: Any])?[(route["method"] as? String ?? "").lowercased()] as? [String: Any]
            #expect(operation?["operationId"] as? String == route["operation_id"] as? String, "\(route)")
        }
        for name in ["health", "readiness", "metrics"] {
            #expect(try await daemon.get(links[name] ?? "", token: Self.token).status == 200, "\(name)")
        }
        let events = try await daemon.request(.HEAD, links["events"] ?? "", token: Self.token)
        #expect(events.status == 200 && events.headers.first(name: "Content-Type") == "text/event-stream", "\(events.status)")
        let rpc = #"{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}"#
        let mcp = try await daemon.request(.POST, links["mcp"] ?? "", token: Self.token,
                                           headers: [("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-06-18")],
                                           body: rpc)
        #expect(mcp.status == 200 && mcp.body.contains("start_workflow_run"), "\(mcp.status) \(mcp.body.prefix(300))")
        // And every read route without parameters answers with the token.
        for route in capabilities.values.joined() where route["method"] as? String == "GET" {
            let path = route["path"] as? String ?? ""
            guard !path.contains("{"), path != links["events"] else { continue }
            let reply = try await daemon.get(path, token: Self.token)
            #expect(reply.status == 200, "\(path): \(reply.status) \(reply.body.prefix(200))")
        }
        #expect(try daemon.stop().status == 0)
    }

    @Test("Beyond loopback: the card needs no token, what it links does, and reads are said to need one")
    func beyondLoopbackTheCardIsOpen() async throws {
        let h = try Harness()
        try h.writeFleet(count: 0)
        let tokenFile = h.directory + "/token"
        try Self.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let daemon = try h.startDaemon(["--token-file", tokenFile], listen: "0.0.0.0:0")
        defer { _ = try? daemon.stop() }
        let card = try await Self.card(daemon)
        #expect((card["authentication"] as? [String: Any])?["reads_without_token"] as? Bool == false, "\(card)")
        #expect(try await daemon.get("/api/v1/openapi.json").status == 401, "the OpenAPI document still needs read")
        #expect(try await daemon.get("/api/v1/openapi.json", token: Self.token).status == 200)
        #expect(try daemon.stop().status == 0)
    }
}
