import Foundation
import OrbrecTestSupport
import Testing

/// One engine operation behind each way in (issue 19 item 5): what the CLI does and what MCP
/// (or REST) does leave the same journal, with real `orbrec` processes on a real state.
@Suite("Operations shared by the CLI, REST and MCP", .serialized)
struct OperationParityTests {
    /// An api pool's task cancelled by `orbrec tasks cancel` and one cancelled by MCP's
    /// `cancel_task` (carried out by the next apply) end alike: cancelled, never started, the
    /// cancel request journaled with when it was asked, and one cancel action each for the same
    /// reason. A file pool's task is still cancelled by the operator (`operator-cancel`).
    @Test("A task cancelled by the CLI and one cancelled over MCP leave the same journal", arguments: TestStateBackend.allCases)
    func taskCancelIsOneOperation(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        try APITaskTests.writePools(h)
        let client = try h.startMCP()
        _ = try client.initialize()
        for key in ["by-mcp", "by-cli"] {
            let created = try client.call("create_task", ["pool": "echo", "key": key, "args": ["code": "0", "text": key]])
            #expect(!created.isError, "\(created.body)")
        }
        let asked = try client.call("cancel_task", ["pool": "echo", "key": "by-mcp"])
        #expect(!asked.isError && asked.body["cancel_requested_at"] is Int, "\(asked.body)")
        #expect(try client.close().status == 0, "\(client.stderr)")

        let cancel = try h.orbrec("tasks", "cancel", "echo", "by-cli")
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        #expect(try h.orbrec("tasks", "cancel", "echo", "nope").stderr.contains("no task echo/nope"))
        let filed = try h.orbrec("tasks", "cancel", "filed")
        #expect(filed.status == 0, "\(filed.stdout)\(filed.stderr)")
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")

        let tasks = try h.tasksByKey("echo")
        for key in ["by-mcp", "by-cli"] {
            #expect(tasks[key]?["state"] as? String == "cancelled" && tasks[key]?["attempts_started"] as? Int == 0, "\(key): \(tasks)")
        }
        // The journal's api task rows, as MCP answers them (a finished task's cancel changes nothing).
        let again = try h.startMCP()
        _ = try again.initialize()
        for key in ["by-mcp", "by-cli"] {
            let answer = try again.call("cancel_task", ["pool": "echo", "key": key])
            #expect(!answer.isError && answer.body["state"] as? String == "cancelled", "\(key): \(answer.body)")
            #expect(answer.body["cancel_requested_at"] is Int, "\(key): the cancel request is journaled: \(answer.body)")
        }
        #expect(try again.close().status == 0, "\(again.stderr)")

        let cancels = try h.history().filter { $0["verb"] as? String == "cancel" && $0["resource"] as? String == "TaskPool/echo" }
        #expect(cancels.count == 2, "one cancel action each: \(cancels)")
        #expect(cancels.allSatisfy { $0["reason"] as? String == "cancel-requested" && $0["state"] as? String == "succeeded" }, "\(cancels)")

        #expect(try h.tasksByKey("filed")["a"]?["state"] as? String == "cancelled")
        let operatorCancels = try h.history().filter { $0["verb"] as? String == "cancel" && $0["resource"] as? String == "TaskPool/filed" }
        #expect(operatorCancels.map { $0["reason"] as? String } == ["operator-cancel"], "\(operatorCancels)")
    }

    /// A JSON value as text with sorted keys, to compare.
    static func canonical(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else { return "-" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A plan's actions without their ids (each plan names its actions anew).
    static func actions(_ document: [String: Any]) -> [String] {
        (document["actions"] as? [[String: Any]] ?? []).map { action in
            ["verb", "resource", "reason", "count"].map { "\(action[$0] ?? "-")" }.joined(separator: " ")
        }.sorted()
    }

    /// `plan --json`, the saved plan of `plan --out` and MCP's `plan_preview` are one document:
    /// the same revision, state, summary, actions and workflow runs; the saved plan applies.
    @Test("plan --json, the saved plan and plan_preview are one document")
    func planPreviewIsThePlanDocument() throws {
        let h = try Harness()
        try MCPTests.configure(h)
        try h.write("workflow.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 1}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: hello}
            spec:
              trigger: {onChange: true}
              steps:
                - name: say
                  run: {scheduler: cpu, command: ["true"]}
            """)
        let planned = try h.orbrec("plan", "--json", "--out", "\(h.directory)/saved.json")
        #expect(planned.status == 0, "\(planned.stderr)")
        let cli = try h.json(planned.stdout)
        let saved = try h.json(try String(contentsOfFile: "\(h.directory)/saved.json", encoding: .utf8))
        let client = try h.startMCP()
        _ = try client.initialize()
        let preview = try client.call("plan_preview")
        #expect(!preview.isError, "\(preview.body)")
        #expect(try client.close().status == 0, "\(client.stderr)")
        for document in [saved, preview.body] {
            for key in ["format_version", "config_revision", "state_id", "summary", "resource_versions", "workflow_runs", "policy"] {
                #expect(Self.canonical(document[key]) == Self.canonical(cli[key]), "\(key): \(Self.canonical(document[key])) vs \(Self.canonical(cli[key]))")
            }
            #expect(Self.actions(document) == Self.actions(cli), "\(Self.actions(document)) vs \(Self.actions(cli))")
        }
        let runs = cli["workflow_runs"] as? [[String: Any]] ?? []
        #expect(runs.contains { $0["workflow"] as? String == "hello" && $0["started"] as? Bool == true }, "\(runs)")
        #expect(!Self.actions(cli).isEmpty, "\(planned.stdout)")
        let apply = try h.orbrec("apply", "\(h.directory)/saved.json")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Applying the saved plan"), "\(apply.stdout)")
        _ = try h.orbrec("destroy", "--auto-approve")
    }

    /// A machine request's idempotency key answers the same request from the CLI and over MCP,
    /// and is refused for another request (`idempotency_key_reused`) by both.
    @Test("An idempotency key names one machine request for the CLI and MCP alike")
    func machineRequestIsOneOperation() throws {
        let h = try Harness()
        try MachineRequestTests.writeTemplate(h)
        let first = try MachineRequestTests.request(h, "sleeper", "1", "--idempotency-key", "k-1")
        let id = try #require(first["request_id"] as? String, "\(first)")
        let client = try h.startMCP()
        _ = try client.initialize()
        let again = try client.call("request_machines", ["template_id": "sleeper", "count": 1, "idempotency_key": "k-1"])
        #expect(!again.isError && again.body["request_id"] as? String == id, "\(again.body)")
        let other = try client.call("request_machines", ["template_id": "sleeper", "count": 2, "idempotency_key": "k-1"])
        #expect(other.errorCode == "idempotency_key_reused", "\(other.body)")
        #expect(try client.close().status == 0, "\(client.stderr)")
        let reused = try h.orbrec("machines", "request", "sleeper", "2", "--idempotency-key", "k-1")
        #expect(reused.status == 1 && reused.stderr.contains("(idempotency_key_reused)"), "\(reused.stderr)")
        #expect(h.machineProcesses(stateID: try h.stateID()).count == 1, "one request, one machine")
        let returned = try h.orbrec("machines", "return", "--request", id, "--wait", "--timeout", "60s")
        #expect(returned.status == 0, "\(returned.stdout)\(returned.stderr)")
    }

    /// The return journal, read with sqlite3 (not orbrec): one `id|machine|reason|actor` row per
    /// machine named, in the order journaled.
    static func returnRows(_ h: Harness) throws -> [[String]] {
        let result = try h.spawn("/usr/bin/sqlite3", [h.state, "SELECT id, machine_id, reason, actor FROM machine_returns ORDER BY created_at, machine_id"])
            .wait(timeout: 30)
        #expect(result.status == 0, "sqlite3: \(result.stderr)")
        return result.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// `machines return` and REST's `POST /api/v1/machines/return` are one engine operation
    /// (`Reconciler.admitReturn`) on one SQLite state under one no-mass-return policy: the same
    /// refusals in the same order (a machine the state does not hold is `unknown-machine` before
    /// any policy is asked; a mass return is `policy-denied`), nothing journaled by either; the
    /// same return request rows, each with its caller; and the CLI's `--policy-override`
    /// journaled by that operation with the same actor as its return. The unknown machine in a
    /// return the policy would deny tells the CLI's own check from the engine's: a CLI that
    /// judged the policy itself first answered `policy-denied` (exit 3) there.
    @Test("A return by the CLI, with and without --policy-override, and one over REST leave the same journal")
    func machineReturnIsOneOperation() async throws {
        let h = try Harness()
        try h.writeFleet(count: 5)
        try h.write("policies/returns.yaml", """
            apiVersion: orbrec/v1
            kind: Policy
            metadata: {name: no-mass-return}
            spec:
              enforcement: soft-mandatory
              rules:
                - name: mass-return
                  scope: plan
                  deny: "size(plan.returns) > 2"
                  message: "this plan returns {{size(plan.returns)}} machines at once"
            """)
        let applied = try h.orbrec("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let machines = try h.runningMachines().sorted()
        try #require(machines.count == 5, "\(machines)")
        let daemon = try h.startDaemon(environment: ["ORBREC_TOKEN": MachineRequestAPITests.token])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        func rest(_ ids: [String]) async throws -> DaemonProcess.Reply {
            let body = "{\"machine_ids\": [" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]}"
            return try await MachineRequestAPITests.post(daemon, "/api/v1/machines/return", body)
        }

        // Refused alike, and nothing journaled by either.
        let unknownREST = try await rest(Array(machines.prefix(3)) + ["m-nope"])
        #expect(MachineRequestAPITests.outcome(unknownREST) == "404 unknown-machine", "\(unknownREST.body)")
        let unknownCLI = try h.orbrec(["machines", "return"] + Array(machines.prefix(3)) + ["m-nope"])
        #expect(unknownCLI.status == 1, "the engine's check, before the policies: \(unknownCLI.stdout)\(unknownCLI.stderr)")
        #expect(unknownCLI.stderr.contains("not a machine this state holds: m-nope (unknown-machine)"), "\(unknownCLI.stderr)")
        let deniedREST = try await rest(Array(machines.prefix(3)))
        #expect(MachineRequestAPITests.outcome(deniedREST) == "409 policy-denied", "\(deniedREST.body)")
        #expect(deniedREST.body.contains("this plan returns 3 machines at once"), "\(deniedREST.body)")
        let deniedCLI = try h.orbrec(["machines", "return"] + Array(machines.prefix(3)))
        #expect(deniedCLI.status == 3, "\(deniedCLI.stdout)\(deniedCLI.stderr)")
        #expect(deniedCLI.stderr.contains("a policy denied the return; nothing was returned"), "\(deniedCLI.stderr)")
        #expect(deniedCLI.stdout.contains("this plan returns 3 machines at once"), "the report is shown: \(deniedCLI.stdout)")
        #expect(try Self.returnRows(h).isEmpty, "a refused return journals nothing")
        let none = try h.orbrec("policy", "overrides", "-o", "json")
        #expect((try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [Any])?.isEmpty == true, "\(none.stdout)")

        // One machine each way, then three by the CLI with an override.
        let byREST = try await rest([machines[0]])
        #expect(byREST.status == 202, "\(byREST.body)")
        let restID = try #require(try byREST.object()["request_id"] as? String, "\(byREST.body)")
        let byCLI = try h.orbrec("machines", "return", machines[1])
        #expect(byCLI.status == 0, "\(byCLI.stdout)\(byCLI.stderr)")
        let overridden = try h.orbrec(["machines", "return", "--policy-override", "decommissioning the rack"] + Array(machines.suffix(3)))
        #expect(overridden.status == 0, "\(overridden.stdout)\(overridden.stderr)")
        #expect(overridden.stdout.contains("Policy check overridden:") && overridden.stdout.contains("decommissioning the rack"),
                "\(overridden.stdout)")

        let rows = try Self.returnRows(h)
        #expect(rows.count == 5, "one row per machine named: \(rows)")
        let byMachine = Dictionary(rows.map { ($0[1], $0) }, uniquingKeysWith: { first, _ in first })
        let restRow = try #require(byMachine[machines[0]], "\(rows)")
        let cliRow = try #require(byMachine[machines[1]], "\(rows)")
        #expect(restRow[0] == restID && restRow[3].hasPrefix("api@"), "\(restRow)")
        #expect(cliRow[0].hasPrefix("ret-") && cliRow[0] != restID && !cliRow[3].hasPrefix("api@") && !cliRow[3].isEmpty, "\(cliRow)")
        #expect(byCLI.stdout.contains("\(cliRow[0]): returning \(machines[1])"), "\(byCLI.stdout)")
        #expect(cliRow[2] == restRow[2], "the same kind of return: \(rows)")
        let overriddenRows = machines.suffix(3).compactMap { byMachine[$0] }
        #expect(overriddenRows.count == 3 && Set(overriddenRows.map { $0[0] }).count == 1, "one return request: \(rows)")
        #expect(overriddenRows.allSatisfy { $0[2] == restRow[2] && $0[3] == cliRow[3] }, "\(rows)")

        let overrides = try h.orbrec("policy", "overrides", "-o", "json")
        let overrideRows = try JSONSerialization.jsonObject(with: Data(overrides.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(overrideRows.count == 1, "one overridden violation, journaled once: \(overrides.stdout)")
        #expect(overrideRows.first?["policy"] as? String == "Policy/no-mass-return", "\(overrideRows)")
        #expect((overrideRows.first?["cause"] as? String)?.hasPrefix("overridden by \(cliRow[3]): decommissioning the rack") == true,
                "the override's actor is the return's: \(overrideRows)")
    }
}
