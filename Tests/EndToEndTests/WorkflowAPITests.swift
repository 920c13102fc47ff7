import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Workflow runs driven by a program, as a workflow orchestrator's daemon is: over the REST
/// API (`/api/v1/workflows`), the event stream and MCP, against a real `orbrec run` over real
/// HTTP, with the runs' steps carried out as real processes by the local scheduler.
@Suite("Workflow runs over the API and MCP", .serialized)
struct WorkflowAPITests {
    static let token = "workflow-api-test-token-0123456789"

    /// `pair`: a run step, then a step that needs it (forbid). `slow` (forbid) and `swap`
    /// (replace): one long step each.
    static func configure(_ h: Harness) throws {
        try h.write("workflows.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 4}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: pair}
            spec:
              concurrency: forbid
              steps:
                - name: prepare
                  run: {scheduler: cpu, command: ["sh", "-c", "echo prepare ${run} >> \(h.directory)/runs.log; sleep 0.3"]}
                - name: finish
                  needs: [prepare]
                  run: {scheduler: cpu, command: ["sh", "-c", "echo finish ${run} >> \(h.directory)/runs.log"]}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: slow}
            spec:
              concurrency: forbid
              steps:
                - name: work
                  run: {scheduler: cpu, command: ["sleep", "120"]}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: swap}
            spec:
              concurrency: replace
              steps:
                - name: work
                  run: {scheduler: cpu, command: ["sleep", "120"]}
            """)
    }

    static func post(_ daemon: DaemonProcess, _ path: String, _ body: String? = nil, key: String? = nil,
                     token: String? = WorkflowAPITests.token) async throws -> DaemonProcess.Reply {
        try await daemon.request(.POST, path, token: token, headers: key.map { [("Idempotency-Key", $0)] } ?? [], body: body)
    }

    /// `STATUS CODE`, as `409 run-in-progress`.
    static func outcome(_ reply: DaemonProcess.Reply) -> String {
        let code = ((try? reply.object())?["error"] as? [String: Any])?["code"] as? String
        return "\(reply.status) \(code ?? "-")"
    }

    static func steps(_ run: [String: Any]) -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: (run["steps"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
    }

    static func actions(_ document: [String: Any]) -> [String: [String: Any]] {
        Dictionary((document["next_actions"] as? [[String: Any]] ?? []).map { ($0["action"] as? String ?? "", $0) },
                   uniquingKeysWith: { first, _ in first })
    }

    static func caused(_ step: [String: Any]?) -> [String: Any] { step?["caused"] as? [String: Any] ?? [:] }

    static func taskCount(_ step: [String: Any]?, _ state: String) -> Int {
        (caused(step)["tasks"] as? [String: Any])?[state] as? Int ?? 0
    }

    /// A JSON value with its keys sorted, to compare two answers whole.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    static func ready(_ daemon: DaemonProcess) async throws {
        _ = try await daemon.eventually("ready", timeout: 30) { try await daemon.get("/readyz").status == 200 ? true : nil }
    }

    @Test("REST: list, start (202 at once, Idempotency-Key), follow to succeeded with both steps timed; events of every transition",
          arguments: TestStateBackend.allCases)
    func startFollowAndWatch(_ backend: TestStateBackend) async throws {
        let h = try Harness(backend: backend)
        try Self.configure(h)
        let daemon = try h.startDaemon(["--task-interval", "200ms", "--observe-interval", "500ms"], environment: ["ORBREC_TOKEN": Self.token])
        defer { _ = try? daemon.stop() }
        try await Self.ready(daemon)

        let listed = try await daemon.get("/api/v1/workflows")
        #expect(listed.status == 200, "\(listed.body)")
        let workflows = Dictionary(uniqueKeysWithValues: try listed.array().map { ($0["name"] as? String ?? "", $0) })
        #expect(Set(workflows.keys) == ["pair", "slow", "swap"], "\(listed.body)")
        #expect(workflows["pair"]?["steps"] as? [String] == ["prepare", "finish"])
        #expect(workflows["pair"]?["concurrency"] as? String == "forbid" && workflows["swap"]?["concurrency"] as? String == "replace")
        #expect(workflows["pair"]?["on_change"] as? Bool == false && workflows["pair"]?["state"] as? String == "idle")
        #expect(workflows["pair"]?["last_run"] == nil, "no run yet: \(listed.body)")
        let one = try await daemon.get("/api/v1/workflows/pair").object()
        let details = one["step_details"] as? [[String: Any]] ?? []
        #expect(details.map { $0["name"] as? String ?? "" } == ["prepare", "finish"] && details.last?["needs"] as? [String] == ["prepare"],
                "\(one)")
        #expect(Self.outcome(try await daemon.get("/api/v1/workflows/nope")) == "404 unknown-workflow")
        #expect(Self.outcome(try await daemon.get("/api/v1/workflows/nope/runs")) == "404 unknown-workflow")

        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events")
        defer { stream.close() }
        #expect(stream.status == 200)

        // Answered at once: the run is journaled, its steps pending; the loop moves it after.
        let asked = ContinuousClock.now
        let started = try await Self.post(daemon, "/api/v1/workflows/pair/runs", key: "nightly-1")
        let took = ContinuousClock.now - asked
        #expect(started.status == 202, "\(started.body)")
        #expect(took < .seconds(2), "answered at once, not when the run ends: \(took)")
        let document = try started.object()
        let id = try #require(document["run_id"] as? String, "\(started.body)")
        #expect(id.hasPrefix("wr-") && document["workflow"] as? String == "pair" && document["trigger"] as? String == "manual")
        #expect(document["state"] as? String == "running" && document["created"] as? Bool == true, "\(document)")
        let next = Self.actions(document)
        #expect(next["get"]?["path"] as? String == "/api/v1/workflows/pair/runs/\(id)" && next["get"]?["recommended"] as? Bool == true,
                "\(document)")
        #expect(next["cancel"]?["method"] as? String == "POST" && next["cancel"]?["path"] as? String == "/api/v1/workflows/pair/runs/\(id)/cancel")
        // The same key answers the same run and starts nothing; the key on another workflow is refused.
        let again = try await Self.post(daemon, "/api/v1/workflows/pair/runs", key: "nightly-1")
        let againID = try again.object()["run_id"] as? String
        let againCreated = try again.object()["created"] as? Bool
        #expect(again.status == 202 && againID == id && againCreated == false, "\(again.body)")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/slow/runs", key: "nightly-1")) == "409 idempotency_key_reused")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/pair/runs", #"{"wait": true}"#)) == "400 unknown-field")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/pair/runs", token: nil)) == "401 unauthorized")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/nope/runs")) == "404 unknown-workflow")

        let done = try await daemon.eventually("the run to succeed", timeout: 60) { () -> [String: Any]? in
            let run = try await daemon.get("/api/v1/workflows/pair/runs/\(id)").object()
            return run["state"] as? String == "succeeded" ? run : nil
        }
        let steps = Self.steps(done)
        #expect(steps["prepare"]?["state"] as? String == "succeeded" && steps["finish"]?["state"] as? String == "succeeded", "\(done)")
        let prepareEnded = try #require(steps["prepare"]?["ended_at"] as? Int, "\(done)")
        let finishStarted = try #require(steps["finish"]?["started_at"] as? Int, "\(done)")
        let prepareStarted = try #require(steps["prepare"]?["started_at"] as? Int)
        #expect(prepareStarted <= prepareEnded && prepareEnded <= finishStarted, "finish starts once prepare ended: \(done)")
        #expect((done["ended_at"] as? Int ?? 0) >= (steps["finish"]?["ended_at"] as? Int ?? Int.max), "\(done)")
        #expect(done["reason"] as? String == "started by api@127.0.0.1", "\(done)")
        // What each step caused: its own pool, one task, completed.
        #expect(Self.caused(steps["prepare"])["pool"] as? String == "\(id)-prepare", "\(done)")
        #expect(Self.taskCount(steps["prepare"], "completed") == 1 && Self.taskCount(steps["finish"], "total") == 1, "\(done)")
        let log = (try? String(contentsOfFile: h.directory + "/runs.log", encoding: .utf8)) ?? ""
        #expect(log == "prepare \(id)\nfinish \(id)\n", "each step ran once, in order: \(log)")
        #expect(Self.actions(done)["start"]?["path"] as? String == "/api/v1/workflows/pair/runs", "an ended run offers another: \(done)")

        let runs = try await daemon.get("/api/v1/workflows/pair/runs").array()
        #expect(runs.map { $0["run_id"] as? String } == [id], "\(runs)")
        let summary = try await daemon.get("/api/v1/workflows/pair").object()
        #expect((summary["last_run"] as? [String: Any])?["run_id"] as? String == id && summary["state"] as? String == "idle", "\(summary)")
        #expect(Self.outcome(try await daemon.get("/api/v1/workflows/slow/runs/\(id)")) == "404 unknown-run", "another workflow's run")
        #expect(Self.outcome(try await daemon.get("/api/v1/workflows/pair/runs/wr-nope")) == "404 unknown-run")

        // The stream carried the run's start, each step's moves and the run's end, in order.
        let transitions = try await daemon.eventually("the run's events on the stream") { () -> [String]? in
            let seen = stream.received.filter { $0.kind == "run" || $0.kind == "step" }
                .filter { ($0.data["subject"] ?? "").contains(id) }.map { "\($0.data["subject"] ?? "") \($0.data["to"] ?? "")" }
            return seen.contains("run/\(id) succeeded") ? seen : nil
        }
        #expect(transitions == ["run/\(id) running", "step/\(id)/prepare running", "step/\(id)/prepare succeeded",
                                "step/\(id)/finish running", "step/\(id)/finish succeeded", "run/\(id) succeeded"], "\(transitions)")
        #expect(try daemon.stop().status == 0)
    }

    @Test("REST: forbid refuses a second run (409 run-in-progress), cancel stops its task (then 409 run-finished), replace cancels the first")
    func concurrencyAndCancel() async throws {
        let h = try Harness()
        try Self.configure(h)
        let daemon = try h.startDaemon(["--task-interval", "200ms", "--observe-interval", "500ms"], environment: ["ORBREC_TOKEN": Self.token])
        defer {
            _ = try? daemon.stop()
            h.killTasks()
        }
        try await Self.ready(daemon)
        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events")
        defer { stream.close() }

        let first = try await Self.post(daemon, "/api/v1/workflows/slow/runs")
        #expect(first.status == 202, "\(first.body)")
        let id = try #require(try first.object()["run_id"] as? String)
        let refused = try await Self.post(daemon, "/api/v1/workflows/slow/runs")
        #expect(Self.outcome(refused) == "409 run-in-progress", "\(refused.body)")
        #expect(refused.body.contains(id), "the refusal names the running run: \(refused.body)")

        // Its step's task runs as a real process; cancelling the run stops it.
        _ = try await daemon.eventually("the step's task to run", timeout: 30) { () -> Bool? in
            let run = try await daemon.get("/api/v1/workflows/slow/runs/\(id)").object()
            return Self.taskCount(Self.steps(run)["work"], "running") == 1 && !h.runningCommands(pool: "\(id)-work").isEmpty ? true : nil
        }
        let cancelled = try await Self.post(daemon, "/api/v1/workflows/slow/runs/\(id)/cancel")
        #expect(cancelled.status == 202, "\(cancelled.body)")
        let answer = try cancelled.object()
        #expect(answer["state"] as? String == "cancelled" && Self.steps(answer)["work"]?["state"] as? String == "cancelled", "\(answer)")
        _ = try await daemon.eventually("the step's task cancelled and its process gone", timeout: 30) { () -> Bool? in
            let run = try await daemon.get("/api/v1/workflows/slow/runs/\(id)").object()
            return Self.taskCount(Self.steps(run)["work"], "cancelled") == 1 && h.runningCommands(pool: "\(id)-work").isEmpty ? true : nil
        }
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/slow/runs/\(id)/cancel")) == "409 run-finished")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/slow/runs/wr-nope/cancel")) == "404 unknown-run")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/workflows/swap/runs/\(id)/cancel")) == "404 unknown-run",
                "a run is cancelled only through its own workflow")
        // Once it ended, a new run may start.
        let next = try await Self.post(daemon, "/api/v1/workflows/slow/runs")
        #expect(next.status == 202, "\(next.body)")
        let nextID = try #require(try next.object()["run_id"] as? String)
        #expect(try await Self.post(daemon, "/api/v1/workflows/slow/runs/\(nextID)/cancel").status == 202)

        // replace: the second start cancels the first, whose task stops.
        let older = try #require(try await Self.post(daemon, "/api/v1/workflows/swap/runs").object()["run_id"] as? String)
        _ = try await daemon.eventually("the first swap run's task to run", timeout: 30) { () -> Bool? in
            h.runningCommands(pool: "\(older)-work").isEmpty ? nil : true
        }
        let newer = try await Self.post(daemon, "/api/v1/workflows/swap/runs")
        #expect(newer.status == 202, "\(newer.body)")
        let newerID = try #require(try newer.object()["run_id"] as? String)
        #expect(try newer.object()["replaced"] as? [String] == [older], "\(newer.body)")
        let replaced = try await daemon.get("/api/v1/workflows/swap/runs/\(older)").object()
        #expect(replaced["state"] as? String == "cancelled", "\(replaced)")
        let replacedMessage = Self.steps(replaced)["work"]?["message"] as? String ?? ""
        #expect(replacedMessage.contains("replaced by \(newerID)"), "\(replaced)")
        _ = try await daemon.eventually("the replaced run's task gone and the new one's running", timeout: 30) { () -> Bool? in
            h.runningCommands(pool: "\(older)-work").isEmpty && !h.runningCommands(pool: "\(newerID)-work").isEmpty ? true : nil
        }
        let listed = try await daemon.get("/api/v1/workflows").array().first { $0["name"] as? String == "swap" } ?? [:]
        #expect(listed["state"] as? String == "running" && listed["running_runs"] as? [String] == [newerID], "\(listed)")
        #expect(try await Self.post(daemon, "/api/v1/workflows/swap/runs/\(newerID)/cancel").status == 202)

        // A cancelled run's steps end on the stream too, before the run does.
        let events = try await daemon.eventually("the cancellation on the stream") { () -> [String]? in
            let seen = stream.received.filter { ($0.kind == "run" || $0.kind == "step") && ($0.data["subject"] ?? "").contains(id) }
                .map { "\($0.data["subject"] ?? "") \($0.data["to"] ?? "")" }
            return seen.contains("run/\(id) cancelled") ? seen : nil
        }
        #expect(Array(events.suffix(2)) == ["step/\(id)/work cancelled", "run/\(id) cancelled"], "\(events)")
        _ = try await daemon.eventually("every task process gone", timeout: 30) { h.runningCommands().isEmpty ? true : nil }
        #expect(try daemon.stop().status == 0)
    }

    @Test("MCP over the daemon's /mcp: list, start, get until succeeded, cancel; the same codes as the API")
    func mcpOverTheDaemon() async throws {
        let h = try Harness()
        try Self.configure(h)
        let daemon = try h.startDaemon(["--task-interval", "200ms", "--observe-interval", "500ms"], environment: ["ORBREC_TOKEN": Self.token])
        defer {
            _ = try? daemon.stop()
            h.killTasks()
        }
        try await Self.ready(daemon)
        var next = 0
        func call(_ tool: String, _ arguments: [String: Any]) async throws -> (isError: Bool, body: [String: Any]) {
            next += 1
            let message: [String: Any] = ["jsonrpc": "2.0", "id": next, "method": "tools/call", "params": ["name": tool, "arguments": arguments]]
            let reply = try await daemon.request(.POST, "/mcp", token: Self.token,
                                                 headers: [("Accept", "application/json, text/event-stream"), ("MCP-Protocol-Version", "2025-06-18")],
                                                 body: String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self))
            let result = try #require(try reply.object()["result"] as? [String: Any], "\(tool): \(reply.body)")
            let text = (result["content"] as? [[String: Any]])?.first?["text"] as? String ?? ""
            return (result["isError"] as? Bool ?? false, try h.json(text))
        }

        let listed = try await call("list_workflows", [:])
        #expect(!listed.isError && (listed.body["workflows"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" } == ["pair", "slow", "swap"],
                "\(listed.body)")
        let started = try await call("start_workflow_run", ["workflow": "pair"])
        #expect(!started.isError, "\(started.body)")
        let id = try #require(started.body["run_id"] as? String, "\(started.body)")
        let tools = Self.actions(started.body)
        #expect(tools["get"]?["tool"] as? String == "get_workflow_run" && (tools["get"]?["arguments"] as? [String: Any])?["run_id"] as? String == id,
                "\(started.body)")
        #expect(tools["cancel"]?["tool"] as? String == "cancel_workflow_run", "\(started.body)")
        #expect(try await call("start_workflow_run", ["workflow": "pair"]).body.errorCode == "run-in-progress")
        #expect(try await call("start_workflow_run", ["workflow": "nope"]).body.errorCode == "unknown-workflow")
        #expect(try await call("get_workflow_run", ["run_id": "wr-nope"]).body.errorCode == "unknown-run")
        let done = try await daemon.eventually("the run to succeed over MCP", timeout: 60) { () -> [String: Any]? in
            let run = try await call("get_workflow_run", ["run_id": id]).body
            return run["state"] as? String == "succeeded" ? run : nil
        }
        #expect(Self.steps(done).values.allSatisfy { $0["state"] as? String == "succeeded" && $0["started_at"] is Int }, "\(done)")

        let slow = try await call("start_workflow_run", ["workflow": "slow", "idempotency_key": "slow-1"])
        let slowID = try #require(slow.body["run_id"] as? String, "\(slow.body)")
        #expect(try await call("start_workflow_run", ["workflow": "slow", "idempotency_key": "slow-1"]).body["run_id"] as? String == slowID)
        _ = try await daemon.eventually("the slow step's task to run", timeout: 30) { h.runningCommands(pool: "\(slowID)-work").isEmpty ? nil : true }
        let cancelled = try await call("cancel_workflow_run", ["run_id": slowID])
        #expect(!cancelled.isError && cancelled.body["state"] as? String == "cancelled", "\(cancelled.body)")
        #expect(try await call("cancel_workflow_run", ["run_id": slowID]).body.errorCode == "run-finished")
        _ = try await daemon.eventually("the cancelled run's task gone", timeout: 30) { h.runningCommands(pool: "\(slowID)-work").isEmpty ? true : nil }

        // list_workflow_runs answers each workflow's runs as GET /api/v1/workflows/{name}/runs
        // does (in an object: structured content is one), with the same limit and refusal.
        for (workflow, expected) in [("pair", [id: "succeeded"]), ("slow", [slowID: "cancelled"])] {
            let listedRuns = try await call("list_workflow_runs", ["workflow": workflow])
            let runs = try #require(listedRuns.body["runs"] as? [[String: Any]], "\(listedRuns.body)")
            #expect(!listedRuns.isError && runs.count == 1, "\(listedRuns.body)")
            #expect(runs.map { $0["run_id"] as? String ?? "" } == Array(expected.keys) && runs.map { $0["state"] as? String ?? "" } == Array(expected.values),
                    "\(listedRuns.body)")
            // Ended runs, so both answers hold still; a late step message is waited out, not ignored.
            let same = try await daemon.eventually("MCP and REST to answer \(workflow)'s runs alike", timeout: 15) { () -> Bool? in
                let mcp = try await call("list_workflow_runs", ["workflow": workflow]).body["runs"] ?? [Any]()
                let rest = try await daemon.get("/api/v1/workflows/\(workflow)/runs")
                guard rest.status == 200 else { return nil }
                return try Self.canonical(mcp) == Self.canonical(try rest.json()) ? true : nil
            }
            #expect(same == true)
        }
        let limited = try await call("list_workflow_runs", ["workflow": "pair", "limit": 1]).body["runs"] ?? [Any]()
        #expect(try Self.canonical(limited) == Self.canonical(try await daemon.get("/api/v1/workflows/pair/runs?limit=1").json()))
        #expect((try await call("list_workflow_runs", ["workflow": "swap"]).body["runs"] as? [Any])?.isEmpty == true, "a workflow with no run yet")
        #expect(try await call("list_workflow_runs", ["workflow": "nope"]).body.errorCode == "unknown-workflow")
        #expect(Self.outcome(try await daemon.get("/api/v1/workflows/nope/runs")) == "404 unknown-workflow")
        #expect(try await call("list_workflow_runs", ["workflow": "pair", "limit": 0]).body.errorCode == "invalid-arguments")
        #expect(try await call("list_workflow_runs", [:]).body.errorCode == "invalid-arguments", "workflow is required")
        #expect(try daemon.stop().status == 0)
    }

    @Test("MCP over stdio, no daemon: a run is journaled, the next apply carries it out, and the tool follows it")
    func mcpOverStandardIO() throws {
        let h = try Harness()
        try Self.configure(h)
        let client = try h.startMCP()
        _ = try client.initialize()
        // No state yet: a configured workflow has no runs, a name that is none is refused.
        #expect((try client.call("list_workflow_runs", ["workflow": "pair"]).body["runs"] as? [Any])?.isEmpty == true)
        #expect(try client.call("list_workflow_runs", ["workflow": "nope"]).errorCode == "unknown-workflow")
        let started = try client.call("start_workflow_run", ["workflow": "pair"])
        #expect(!started.isError, "\(started.body)")
        let id = try #require(started.body["run_id"] as? String, "\(started.body)")
        #expect(try client.call("start_workflow_run", ["workflow": "pair"]).errorCode == "run-in-progress")
        #expect(try client.call("get_workflow_run", ["run_id": id]).body["state"] as? String == "running", "nothing moves it but an apply")
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let done = try client.call("get_workflow_run", ["run_id": id]).body
        #expect(done["state"] as? String == "succeeded" && Self.steps(done).count == 2, "\(done)")
        #expect(Self.actions(done)["start"]?["tool"] as? String == "start_workflow_run", "\(done)")

        // A second run (the first has ended, so forbid allows it): list_workflow_runs answers
        // both, newest first, as `orbrec workflows runs -o json` prints them.
        let second = try #require(try client.call("start_workflow_run", ["workflow": "pair"]).body["run_id"] as? String)
        let listed = try client.call("list_workflow_runs", ["workflow": "pair"])
        let runs = try #require(listed.body["runs"] as? [[String: Any]], "\(listed.body)")
        #expect(runs.map { $0["run_id"] as? String ?? "" } == [second, id] && runs.map { $0["state"] as? String ?? "" } == ["running", "succeeded"],
                "\(listed.body)")
        let printed = try h.orbrec("workflows", "runs", "pair", "-o", "json")
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(try Self.canonical(runs) == Self.canonical(try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8))), "\(printed.stdout)")
        let newest = try client.call("list_workflow_runs", ["workflow": "pair", "limit": 1]).body["runs"] as? [[String: Any]]
        #expect(newest?.map { $0["run_id"] as? String ?? "" } == [second], "\(String(describing: newest))")
        #expect(try client.call("list_workflow_runs", ["workflow": "nope"]).errorCode == "unknown-workflow")
        #expect(try client.close().status == 0)
    }

    @Test("A follower of a shared state refuses starts and cancels (503 not-leader) and serves the runs the leader moves")
    func aFollowerRefusesWrites() async throws {
        let h = try Harness(backend: .postgres)
        try Self.configure(h)
        let daemons = try (0..<2).map { _ in
            try h.startDaemon(["--leader-ttl", "3s", "--task-interval", "200ms", "--observe-interval", "500ms"], environment: ["ORBREC_TOKEN": Self.token])
        }
        defer { for daemon in daemons { _ = try? daemon.stop() } }
        let leader = try await daemons[0].eventually("one daemon to lead", timeout: 15) { () -> DaemonProcess? in
            for daemon in daemons where (try? await daemon.get("/readyz").object())?["role"] as? String == "leader" { return daemon }
            return nil
        }
        let follower = try #require(daemons.first { $0 !== leader })
        _ = try await follower.eventually("the other to follow") {
            (try? await follower.get("/readyz").object())?["role"] as? String == "follower" ? true : nil
        }
        #expect(Self.outcome(try await Self.post(follower, "/api/v1/workflows/pair/runs")) == "503 not-leader")
        let started = try await Self.post(leader, "/api/v1/workflows/pair/runs")
        #expect(started.status == 202, "\(started.body)")
        let id = try #require(try started.object()["run_id"] as? String)
        #expect(Self.outcome(try await Self.post(follower, "/api/v1/workflows/pair/runs/\(id)/cancel")) == "503 not-leader")
        let seen = try await follower.eventually("the run through the follower", timeout: 60) { () -> [String: Any]? in
            let run = try await follower.get("/api/v1/workflows/pair/runs/\(id)").object()
            return run["state"] as? String == "succeeded" ? run : nil
        }
        #expect(Self.steps(seen).count == 2, "\(seen)")
    }
}
