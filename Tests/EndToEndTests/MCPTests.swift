import Foundation
import Testing

/// `orbrec mcp` spoken to as an MCP client speaks: the handshake, the tool list with input
/// schemas, read tools, a read-only plan preview, and a worker claiming and ending tasks of a
/// pull pool with fencing tokens. Tool failures are results with `isError`, never protocol errors.
@Suite("MCP server", .serialized)
struct MCPTests {
    static let tools: Set<String> = [
        "list_resources", "status", "plan_preview", "show_request", "list_tasks", "requeue_tasks",
        "claim_task", "complete_task", "fail_task", "heartbeat_task", "release_task",
        "list_templates", "get_template", "request_machines", "get_request_status", "return_machines",
        "list_workflows", "list_workflow_runs", "start_workflow_run", "get_workflow_run", "cancel_workflow_run",
        "create_task", "cancel_task", "list_partitions", "list_jobs",
    ]

    /// A fleet of one and a pull pool of two tasks.
    static func configure(_ harness: Harness) throws {
        try harness.writeFleet(count: 1)
        try harness.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec:
              mode: pull
              range: {from: 1, to: 2}
              command: ["sh", "-c", "echo ${item}"]
              retry: {maxAttempts: 3, initialBackoff: 1s, maxBackoff: 2s, jitter: 0}
            """)
    }

    @Test func theHandshakeListsEveryToolWithItsInputSchema() throws {
        let harness = try Harness()
        try Self.configure(harness)
        let client = try harness.startMCP()
        let initialized = try client.initialize()
        #expect(initialized["protocolVersion"] as? String == "2025-06-18")
        #expect((initialized["serverInfo"] as? [String: Any])?["name"] as? String == "orbrec")
        #expect((initialized["capabilities"] as? [String: Any])?["tools"] != nil)

        let tools = try client.request("tools/list")["tools"] as? [[String: Any]] ?? []
        let byName = Dictionary(tools.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(byName.keys) == Self.tools)
        for (name, tool) in byName {
            let schema = tool["inputSchema"] as? [String: Any]
            #expect(schema?["type"] as? String == "object", "\(name)")
            #expect(schema?["properties"] is [String: Any], "\(name)")
            #expect(!(tool["description"] as? String ?? "").isEmpty, "\(name)")
        }
        #expect(Set(byName["claim_task"]?["inputSchema"].flatMap { ($0 as? [String: Any])?["required"] as? [String] } ?? []) == ["pool", "worker"])
        #expect((byName["plan_preview"]?["annotations"] as? [String: Any])?["readOnlyHint"] as? Bool == true)

        // An unknown tool is a protocol error; a tool's failure is not.
        let unknown = try client.exchange("tools/call", ["name": "no_such_tool", "arguments": [String: Any]()])
        #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32602, "\(unknown)")
        let bad = try client.call("claim_task", ["pool": "jobs"])
        #expect(bad.isError && bad.errorCode == "invalid-arguments", "\(bad.body)")
        let extra = try client.call("status", ["verbose": true])
        #expect(extra.isError && extra.errorCode == "invalid-arguments", "\(extra.body)")

        let ended = try client.close()
        #expect(ended.status == 0, "\(ended.stderr)")
        #expect(client.lines.allSatisfy { $0.hasPrefix("{") }, "stdout carries the protocol only")
    }

    @Test func readToolsAndAReadOnlyPlanPreview() throws {
        let harness = try Harness()
        try Self.configure(harness)
        let client = try harness.startMCP()
        _ = try client.initialize()

        // No state yet: the preview plans against an empty world and creates nothing.
        let preview = try client.call("plan_preview")
        #expect(!preview.isError, "\(preview.body)")
        let actions = preview.body["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["verb"] as? String == "provision" && $0["resource"] as? String == "Fleet/workers" }, "\(actions)")
        #expect(actions.contains { $0["resource"] as? String == "TaskPool/jobs" }, "\(actions)")
        #expect(preview.body["format_version"] as? String == "1.0")
        #expect(preview.result["structuredContent"] is [String: Any], "the same JSON as structured content")
        #expect(!FileManager.default.fileExists(atPath: harness.state), "a preview creates no state")
        #expect(try harness.history().isEmpty, "a preview journals nothing")

        let resources = try client.call("list_resources")
        #expect(!resources.isError, "\(resources.body)")
        let rows = resources.body["resources"] as? [[String: Any]] ?? []
        #expect(Set(rows.compactMap { $0["resource"] as? String })
                == ["Provider/here", "Template/sleeper", "Fleet/workers", "TaskPool/jobs"], "\(rows)")
        let pool = rows.first { $0["resource"] as? String == "TaskPool/jobs" }
        #expect((pool?["location"] as? String)?.hasSuffix("pool.yaml:1:1") == true, "\(String(describing: pool))")
        #expect(pool?["desired"] as? String == "2 task(s)")

        let status = try client.call("status")
        #expect(!status.isError, "\(status.body)")
        #expect(status.body["converged"] as? Bool == false)
        let fleet = (status.body["resources"] as? [[String: Any]])?.first { $0["resource"] as? String == "Fleet/workers" }
        #expect(fleet?["sync"] as? String == "OutOfSync", "\(String(describing: fleet))")

        let missing = try client.call("show_request", ["id": "req-doesnotexist"])
        #expect(missing.isError && missing.errorCode == "not-found", "\(missing.body)")

        // With a state and a lock held by an apply waiting for its confirmation, the preview
        // still answers (it takes no lock) and journals nothing; a requeue, which locks, is refused.
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let applied = try harness.history().count
        try harness.writeFleet(count: 2)
        let holder = try harness.startOrbrec("apply")
        defer { holder.kill9(); _ = try? holder.wait(timeout: 10) }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !(try harness.orbrec("lock", "status").stdout.contains("Operation: apply")) { usleep(50_000) }
        let locked = try client.call("plan_preview")
        #expect(!locked.isError, "\(locked.body)")
        let scaleUp = (locked.body["actions"] as? [[String: Any]] ?? []).first { $0["resource"] as? String == "Fleet/workers" }
        #expect(scaleUp?["verb"] as? String == "provision" && scaleUp?["count"] as? Int == 1, "\(locked.body)")
        #expect(!(locked.body["state_id"] as? String ?? "").isEmpty)
        #expect(try harness.history().count == applied, "the preview journaled nothing")
        #expect(try harness.orbrec("lock", "status").stdout.contains("Operation: apply"), "the holder still holds the lock")
        let requeue = try client.call("requeue_tasks", ["pool": "jobs", "all_dead_letter": true])
        #expect(requeue.isError && requeue.errorCode == "state-locked", "\(requeue.body)")

        let tasks = try client.call("list_tasks", ["pool": "jobs"])
        #expect((tasks.body["tasks"] as? [[String: Any]])?.count == 2, "\(tasks.body)")
        let nowhere = try client.call("list_tasks", ["pool": "nowhere"])
        #expect(nowhere.isError && nowhere.errorCode == "unknown-pool", "\(nowhere.body)")
        #expect(try client.close().status == 0)
    }

    @Test func aWorkerClaimsAndEndsTasksOfAPullPoolWithFencingTokens() throws {
        let harness = try Harness()
        try Self.configure(harness)
        let client = try harness.startMCP()
        _ = try client.initialize()

        let unknown = try client.call("claim_task", ["pool": "nope", "worker": "agent-1"])
        #expect(unknown.isError && unknown.errorCode == "unknown-pool", "\(unknown.body)")
        let early = try client.call("claim_task", ["pool": "jobs", "worker": "agent-1"])
        #expect(!early.isError && early.body["task"] is NSNull, "nothing is offered before an apply: \(early.body)")

        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let claimed = try client.call("claim_task", ["pool": "jobs", "worker": "agent-1", "lease_seconds": 60])
        #expect(!claimed.isError, "\(claimed.body)")
        let task = try #require(claimed.body["task"] as? [String: Any])
        let id = try #require(task["id"] as? String)
        let token = try #require(task["token"] as? String)
        #expect(id == "jobs:1" && task["attempt"] as? Int == 1 && task["state"] as? String == "leased")
        #expect(task["command"] as? [String] == ["sh", "-c", "echo 1"])
        #expect(task["leaseSeconds"] as? Int == 60 && task["leaseExpiresAt"] is String)
        let next = claimed.body["next_actions"] as? [[String: Any]] ?? []
        #expect(next.compactMap { $0["tool"] as? String } == ["complete_task", "heartbeat_task", "fail_task", "release_task"], "\(next)")
        #expect((next.first?["arguments"] as? [String: Any])?["token"] as? String == token)

        let wrong = try client.call("complete_task", ["id": id, "token": "lt-00000000000000000000000000000000"])
        #expect(wrong.isError && wrong.errorCode == "stale_attempt", "\(wrong.body)")
        let mismatched = try client.call("complete_task", ["id": "jobs:2", "token": token])
        #expect(mismatched.isError && mismatched.errorCode == "stale_attempt", "a token is for its own task: \(mismatched.body)")

        let beat = try client.call("heartbeat_task", ["id": id, "token": token, "lease_seconds": 120])
        #expect((beat.body["task"] as? [String: Any])?["leaseSeconds"] as? Int == 120, "\(beat.body)")
        let done = try client.call("complete_task", ["id": id, "token": token, "result": ["rows": 42]])
        #expect(!done.isError, "\(done.body)")
        #expect((done.body["task"] as? [String: Any])?["state"] as? String == "completed")
        #expect((done.body["next_actions"] as? [[String: Any]])?.first?["tool"] as? String == "claim_task")
        let again = try client.call("complete_task", ["id": id, "token": token])
        #expect(again.isError && again.errorCode == "stale_attempt", "an ended attempt's token is stale: \(again.body)")

        let second = try client.call("claim_task", ["pool": "jobs", "worker": "agent-2"])
        let other = try #require(second.body["task"] as? [String: Any])
        #expect(other["id"] as? String == "jobs:2")
        let failed = try client.call("fail_task", ["id": "jobs:2", "token": other["token"] as? String ?? "", "reason": "disk full",
                                                   "retry_after_seconds": 5])
        #expect((failed.body["task"] as? [String: Any])?["state"] as? String == "retrying", "\(failed.body)")
        #expect((failed.body["next_actions"] as? [[String: Any]])?.first?["retryAfterSeconds"] as? Int == 5, "\(failed.body)")
        let nothing = try client.call("claim_task", ["pool": "jobs", "worker": "agent-2"])
        #expect(nothing.body["task"] is NSNull, "nothing left to claim: \(nothing.body)")

        // The next pass settles what the workers reported.
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let tasks = try client.call("list_tasks", ["pool": "jobs"])
        let rows = Dictionary((tasks.body["tasks"] as? [[String: Any]] ?? []).map { ($0["key"] as? String ?? "", $0) },
                              uniquingKeysWith: { first, _ in first })
        #expect(rows["1"]?["state"] as? String == "completed", "\(tasks.body)")
        #expect((rows["1"]?["lease"] as? [String: Any])?["worker"] as? String == "agent-1", "\(tasks.body)")
        #expect(rows["2"]?["state"] as? String == "retrying", "\(tasks.body)")
        #expect((rows["2"]?["next_actions"] as? [[String: Any]])?.first?["tool"] as? String == "claim_task", "\(tasks.body)")

        // An invalid configuration is a tool failure with every diagnostic and its file:line:col.
        try harness.write("broken.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: more}
            spec: {template: sleeper, cuont: 2}
            """)
        let invalid = try client.call("claim_task", ["pool": "jobs", "worker": "agent-1"])
        #expect(invalid.isError && invalid.errorCode == "invalid-configuration", "\(invalid.body)")
        let diagnostics = (invalid.body["error"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
        #expect(diagnostics.contains { ($0["location"] as? String)?.hasSuffix("broken.yaml:4:27") == true
                                       && ($0["message"] as? String)?.contains("cuont") == true }, "\(diagnostics)")
        #expect(try client.close().status == 0)
    }

    /// The official MCP Python SDK as the client (scripts/mcp-client-check.py), when a Python
    /// with the `mcp` package is named: `ORBREC_TEST_MCP_PYTHON=/path/to/venv/bin/python`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ORBREC_TEST_MCP_PYTHON"] != nil,
                   "ORBREC_TEST_MCP_PYTHON names a Python with the mcp package"))
    func theOfficialPythonClientTalksToIt() throws {
        let python = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_MCP_PYTHON"])
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let harness = try Harness()
        try Self.configure(harness)
        let result = try harness.spawn(python, [repository + "/scripts/mcp-client-check.py", Harness.binary, harness.config, harness.state])
            .wait(timeout: 90)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ok: protocol"), "\(result.stdout)")
    }
}
