import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// The daemon serves the same MCP tools over Streamable HTTP at POST /mcp, behind its token.
@Suite(.serialized) struct DaemonMCPTests {
    static let token = "daemon-mcp-test-token-0123456789abcdef"

    static func rpc(_ daemon: DaemonProcess, _ method: String, _ params: [String: Any], id: Int? = 1,
                    token: String? = DaemonMCPTests.token) async throws -> DaemonProcess.Reply {
        var message: [String: Any] = ["jsonrpc": "2.0", "method": method, "params": params]
        if let id { message["id"] = id }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
        return try await daemon.request(.POST, "/mcp", token: token,
                                        headers: [("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-06-18")],
                                        body: body)
    }

    @Test("MCP over HTTP: handshake, tools, a status call, a pull-pool claim; no token, no answer", arguments: TestStateBackend.allCases)
    func mcpOverHTTP(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec: {mode: pull, range: {from: 1, to: 2}}
            """)
        let daemon = try harness.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }

        #expect(try await Self.rpc(daemon, "tools/list", [:], token: nil).status == 401, "POST /mcp needs the token")
        let initialized = try await Self.rpc(daemon, "initialize", [
            "protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "e2e", "version": "1"],
        ])
        #expect(initialized.status == 200, "\(initialized.body)")
        let serverInfo = (try initialized.object()["result"] as? [String: Any])?["serverInfo"] as? [String: Any]
        #expect(serverInfo?["name"] as? String == "orbrec", "\(initialized.body)")
        #expect(try await Self.rpc(daemon, "notifications/initialized", [:], id: nil).status == 202)

        let listed = try await Self.rpc(daemon, "tools/list", [:], id: 2)
        let tools = ((try listed.object()["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(tools).isSuperset(of: ["status", "plan_preview", "claim_task", "complete_task"]), "\(listed.body)")

        let status = try await Self.rpc(daemon, "tools/call", ["name": "status", "arguments": [String: Any]()], id: 3)
        let statusResult = try #require(try status.object()["result"] as? [String: Any], "\(status.body)")
        #expect(statusResult["isError"] as? Bool != true, "\(status.body)")

        _ = try await daemon.eventually("offered") { try await daemon.get("/api/v1/tasks?pool=jobs").array().count == 2 ? true : nil }
        let claim = try await Self.rpc(daemon, "tools/call", ["name": "claim_task", "arguments": ["pool": "jobs", "worker": "agent"]], id: 4)
        let claimResult = try #require(try claim.object()["result"] as? [String: Any], "\(claim.body)")
        #expect(claimResult["isError"] as? Bool != true, "\(claim.body)")
        #expect(claim.body.contains("\\\"token\\\"") || claim.body.contains("\"token\""), "the claim carries a fencing token: \(claim.body)")
        let stale = try await Self.rpc(daemon, "tools/call", ["name": "complete_task", "arguments": ["id": "jobs:1", "token": "lt-wrong"]], id: 5)
        let staleResult = try #require(try stale.object()["result"] as? [String: Any], "\(stale.body)")
        #expect(staleResult["isError"] as? Bool == true && stale.body.contains("stale_attempt"), "\(stale.body)")
    }
}
