import Foundation
import NIOHTTP1
import OrbrecCore
import OrbrecTestSupport
import Testing

/// The same refusals as `ErrorCodeParityTests`, and those of every tool family (tasks of api
/// pools, workflow runs, machine requests), read by type: each answer's code must decode as an
/// `APIErrorCode`, and REST and MCP must give the same case for the same refusal.
extension ErrorCodeParityTests {
    /// One refusal, asked both ways.
    struct Refusal {
        var name: String
        var method: HTTPMethod
        var path: String
        var body: String?
        var status: Int
        var tool: String
        var arguments: [String: Any]
        var expected: APIErrorCode
    }

    static var refusals: [Refusal] { [
        Refusal(name: "a push pool claimed", method: .POST, path: "/api/v1/pools/pushed/claim", body: #"{"worker": "w"}"#, status: 409,
                tool: "claim_task", arguments: ["pool": "pushed", "worker": "w"], expected: .notAPullPool),
        Refusal(name: "an unknown pool claimed", method: .POST, path: "/api/v1/pools/nowhere/claim", body: #"{"worker": "w"}"#, status: 404,
                tool: "claim_task", arguments: ["pool": "nowhere", "worker": "w"], expected: .unknownPool),
        Refusal(name: "a stale token", method: .POST, path: "/api/v1/tasks/jobs:1/complete", body: #"{"token": "lt-wrong"}"#, status: 409,
                tool: "complete_task", arguments: ["id": "jobs:1", "token": "lt-wrong"], expected: .staleAttempt),
        Refusal(name: "a task posted to a pool that lists its own", method: .POST, path: "/api/v1/pools/pushed/tasks", body: #"{"key": "k"}"#,
                status: 409, tool: "create_task", arguments: ["pool": "pushed", "key": "k"], expected: .notAnAPIPool),
        Refusal(name: "an empty task key", method: .POST, path: "/api/v1/pools/inbox/tasks", body: #"{"key": ""}"#,
                status: 400, tool: "create_task", arguments: ["pool": "inbox", "key": ""], expected: .invalidKey),
        Refusal(name: "a task that is not there cancelled", method: .DELETE, path: "/api/v1/pools/inbox/tasks/nope", body: nil, status: 404,
                tool: "cancel_task", arguments: ["pool": "inbox", "key": "nope"], expected: .unknownTask),
        Refusal(name: "a run of an unknown workflow", method: .POST, path: "/api/v1/workflows/nope/runs", body: nil, status: 404,
                tool: "start_workflow_run", arguments: ["workflow": "nope"], expected: .unknownWorkflow),
        Refusal(name: "the runs of an unknown workflow", method: .GET, path: "/api/v1/workflows/nope/runs", body: nil, status: 404,
                tool: "list_workflow_runs", arguments: ["workflow": "nope"], expected: .unknownWorkflow),
        Refusal(name: "an unknown run", method: .GET, path: "/api/v1/workflows/nightly/runs/wr-nope", body: nil, status: 404,
                tool: "get_workflow_run", arguments: ["run_id": "wr-nope"], expected: .unknownRun),
        Refusal(name: "machines of an unknown template", method: .POST, path: "/api/v1/machines/request",
                body: #"{"template_id": "nope", "count": 1}"#, status: 404,
                tool: "request_machines", arguments: ["template_id": "nope", "count": 1], expected: .unknownTemplate),
        Refusal(name: "no machines asked for", method: .POST, path: "/api/v1/machines/request", body: #"{"template_id": "nope", "count": 0}"#,
                status: 400, tool: "request_machines", arguments: ["template_id": "nope", "count": 0], expected: .invalidCount),
        Refusal(name: "an unknown machine returned", method: .POST, path: "/api/v1/machines/return", body: #"{"machine_ids": ["m-nope"]}"#,
                status: 404, tool: "return_machines", arguments: ["machine_ids": ["m-nope"]], expected: .unknownMachine),
    ] }

    @Test("Every refusal family answers one APIErrorCode case, the same over REST and MCP")
    func sameRefusalSameCase() async throws {
        let harness = try Harness()
        try harness.writeScheduler("cpu", slots: 1)
        try harness.write("pools.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: pushed}
            spec: {scheduler: cpu, items: [a], command: ["true"]}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec: {mode: pull, range: {from: 1, to: 2}}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: inbox}
            spec: {scheduler: cpu, source: api, command: ["echo", "${key}"]}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: nightly}
            spec:
              steps:
                - name: hello
                  run: {scheduler: cpu, command: ["true"]}
            """)
        let daemon = try harness.startDaemon(environment: ["ORBREC_TOKEN": DaemonMCPTests.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await DaemonMCPTests.rpc(daemon, "initialize", [
            "protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "e2e", "version": "1"],
        ])

        for refusal in Self.refusals {
            let reply = try await daemon.request(refusal.method, refusal.path, token: DaemonMCPTests.token, body: refusal.body)
            let restText = (try? reply.object()["error"] as? [String: Any])?["code"] as? String
            let rest = restText.flatMap(APIErrorCode.init(rawValue:))
            #expect(reply.status == refusal.status, "\(refusal.name) over REST: \(reply.status) \(reply.body)")
            #expect(rest != nil, "\(refusal.name) over REST: \(restText ?? "no code") is not an APIErrorCode")

            let answer = try await DaemonMCPTests.rpc(daemon, "tools/call", ["name": refusal.tool, "arguments": refusal.arguments], id: 2)
            let result = try answer.object()["result"] as? [String: Any]
            let mcpText = ((result?["structuredContent"] as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
            let mcp = mcpText.flatMap(APIErrorCode.init(rawValue:))
            #expect(result?["isError"] as? Bool == true, "\(refusal.name) over MCP: \(answer.body)")
            #expect(mcp != nil, "\(refusal.name) over MCP: \(mcpText ?? "no code") is not an APIErrorCode")

            #expect(rest == mcp, "\(refusal.name): REST \(restText ?? "-"), MCP \(mcpText ?? "-")")
            #expect(rest == refusal.expected, "\(refusal.name): \(restText ?? "-"), not \(refusal.expected)")
        }
    }
}
