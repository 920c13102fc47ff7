import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// One vocabulary of refusals (APIErrorCode): the same refusal answers the same code over the
/// REST API and over MCP, asked of the same daemon.
@Suite(.serialized) struct ErrorCodeParityTests {
    @Test("The same refusal, the same code, over REST and MCP: a push pool claimed, an unknown pool, a stale token")
    func sameRefusalSameCode() async throws {
        let harness = try Harness()
        try harness.write("pools.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 1}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: pushed}
            spec: {scheduler: cpu, items: [a], command: ["true"]}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec: {mode: pull, range: {from: 1, to: 2}}
            """)
        let daemon = try harness.startDaemon(environment: ["ORBREC_TOKEN": DaemonMCPTests.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await DaemonMCPTests.rpc(daemon, "initialize", [
            "protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "e2e", "version": "1"],
        ])

        func rest(_ path: String, _ body: String) async throws -> (status: Int, code: String?) {
            let reply = try await daemon.request(.POST, path, token: DaemonMCPTests.token, body: body)
            return (reply.status, (try? reply.object()["error"] as? [String: Any])?["code"] as? String)
        }
        func mcp(_ tool: String, _ arguments: [String: Any]) async throws -> String? {
            let reply = try await DaemonMCPTests.rpc(daemon, "tools/call", ["name": tool, "arguments": arguments], id: 2)
            let result = try reply.object()["result"] as? [String: Any]
            #expect(result?["isError"] as? Bool == true, "\(reply.body)")
            return ((result?["structuredContent"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
        }

        let pushed = try await rest("/api/v1/pools/pushed/claim", #"{"worker": "w"}"#)
        #expect(pushed.status == 409 && pushed.code == "not-a-pull-pool")
        #expect(try await mcp("claim_task", ["pool": "pushed", "worker": "w"]) == "not-a-pull-pool")

        let nowhere = try await rest("/api/v1/pools/nowhere/claim", #"{"worker": "w"}"#)
        #expect(nowhere.status == 404 && nowhere.code == "unknown-pool")
        #expect(try await mcp("claim_task", ["pool": "nowhere", "worker": "w"]) == "unknown-pool")

        let stale = try await rest("/api/v1/tasks/jobs:1/complete", #"{"token": "lt-wrong"}"#)
        #expect(stale.status == 409 && stale.code == "stale_attempt")
        #expect(try await mcp("complete_task", ["id": "jobs:1", "token": "lt-wrong"]) == "stale_attempt")
    }
}
