import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Pools whose tasks come from the API (`source: api`), against a real `orbrec run` over real
/// HTTP: tasks posted, run on the local scheduler with their args as argv (never through a
/// shell), retried and dead-lettered, answered again for the same key, cancelled while running,
/// paged; a pull pool's task claimed by a worker; a daemon killed right after an answer.
@Suite("Tasks over the API", .serialized)
struct APITaskTests {
    static let token = "api-task-test-token-0123456789abcdef"

    /// Prints how many arguments it got, then each in brackets, and exits with its first.
    static let echo = #"code=$1; shift; printf "%s:" "$#"; printf "[%s]" "$@"; exit "$code""#

    static func writePools(_ h: Harness) throws {
        try h.writeScheduler("cpu", slots: 4)
        try h.write("pools.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: echo}
            spec:
              scheduler: cpu
              source: api
              command: ["sh", "-c", '\(echo)', "sh", "${args.code}", "${args.text}", "${key}"]
              retry: {maxAttempts: 2, initialBackoff: 300ms, maxBackoff: 1s, jitter: 0}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: slow}
            spec:
              scheduler: cpu
              source: api
              command: ["sleep", "${args.seconds}"]
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: filed}
            spec:
              scheduler: cpu
              items: [a]
              command: ["true"]
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: pulled}
            spec:
              mode: pull
              source: api
              command: ["work", "${args.x}", "${key}"]
            """)
    }

    static func start(_ h: Harness, environment: [String: String] = [:]) async throws -> DaemonProcess {
        let daemon = try h.startDaemon(["--task-interval", "200ms"], environment: ["ORBREC_TOKEN": token].merging(environment) { $1 })
        // Ready, and leading a shared state (writes are a leader's).
        _ = try await daemon.eventually("ready and leading") { () -> Bool? in
            let reply = try await daemon.get("/readyz")
            let role = (try? reply.object())?["role"] as? String
            return reply.status == 200 && (role == nil || role == "leader") ? true : nil
        }
        return daemon
    }

    static func post(_ daemon: DaemonProcess, _ pool: String, _ body: Any, key: String? = nil) async throws -> DaemonProcess.Reply {
        let text = try body as? String ?? String(decoding: JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await daemon.request(.POST, "/api/v1/pools/\(pool)/tasks", token: token,
                                        headers: key.map { [("Idempotency-Key", $0)] } ?? [], body: text)
    }

    static func task(_ daemon: DaemonProcess, _ pool: String, _ key: String) async throws -> [String: Any] {
        let path = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
        return try await daemon.get("/api/v1/pools/\(pool)/tasks/\(path)", token: token).object()
    }

    static func state(_ daemon: DaemonProcess, _ pool: String, _ key: String, is wanted: String, timeout: Double = 20) async throws -> [String: Any] {
        try await daemon.eventually("\(pool)/\(key) \(wanted)", timeout: timeout) { () -> [String: Any]? in
            let document = try await task(daemon, pool, key)
            return document["state"] as? String == wanted ? document : nil
        }
    }

    /// `STATUS CODE`, as `409 task-exists`.
    static func outcome(_ reply: DaemonProcess.Reply) -> String {
        "\(reply.status) \(((try? reply.object())?["error"] as? [String: Any])?["code"] as? String ?? "-")"
    }

    /// The last attempt's standard output, as `orbrec tasks logs` prints it.
    static func output(_ h: Harness, _ pool: String, _ key: String) throws -> String {
        let result = try h.orbrec("tasks", "logs", pool, key)
        #expect(result.status == 0, "tasks logs \(pool) \(key): \(result.stderr)")
        return result.stdout
    }

    /// Three tasks run with their args as argv; one fails, is retried and dead-lettered; the same key answers the same task,
    /// other args are refused; shell metacharacters reach the command as written; DELETE stops a running task; pages of two
    /// walk every task; refusals.
    @Test("Tasks posted run, are answered again, cancelled and paged", arguments: TestStateBackend.allCases)
    func tasksPostedRunAndAreAnsweredAgain(_ backend: TestStateBackend) async throws {
        let h = try Harness(backend: backend)
        try Self.writePools(h)
        let daemon = try await Self.start(h)
        defer { _ = try? daemon.stop() }

        let hostile = "; rm -rf / $(id) `id` \"double\" 'single' \\ $HOME *\nsecond line\t|& > /tmp/x"
        var created: [String: [String: Any]] = [:]
        for (key, code, text) in [("t1", "0", "hello"), ("t2", "0", hostile), ("t3", "1", "fails")] {
            let reply = try await Self.post(daemon, "echo", ["key": key, "args": ["code": code, "text": text]])
            #expect(reply.status == 201, "\(key): \(reply.body)")
            let document = try reply.object()
            #expect(document["key"] as? String == key && document["pool"] as? String == "echo", "\(document)")
            #expect(document["args"] as? [String: String] == ["code": code, "text": text], "\(document)")
            #expect(document["sequence"] is Int && document["created_at"] is Int, "\(document)")
            #expect((document["actor"] as? String)?.hasPrefix("api@") == true, "\(document)")
            created[key] = document
        }
        let sequences = ["t1", "t2", "t3"].compactMap { created[$0]?["sequence"] as? Int }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 3, "posting order: \(sequences)")

        // They run: each argument one argv element, as written.
        let done1 = try await Self.state(daemon, "echo", "t1", is: "completed")
        #expect(done1["attempts_started"] as? Int == 1 && (done1["attempts"] as? [[String: Any]])?.count == 1, "\(done1)")
        _ = try await Self.state(daemon, "echo", "t2", is: "completed")
        #expect(try Self.output(h, "echo", "t1") == "2:[hello][t1]")
        #expect(try Self.output(h, "echo", "t2") == "2:[\(hostile)][t2]", "the metacharacters reached sh as one argument, unexpanded")

        // t3 exits 1: retried once (maxAttempts 2), then dead-lettered.
        let dead = try await Self.state(daemon, "echo", "t3", is: "dead_letter")
        #expect(dead["attempts_started"] as? Int == 2 && dead["attempts_consumed"] as? Int == 2, "\(dead)")
        #expect((dead["attempts"] as? [[String: Any]])?.compactMap { $0["exit_code"] as? Int } == [1, 1], "\(dead)")
        #expect(try Self.output(h, "echo", "t3") == "2:[fails][t3]")

        // The same key and args: the same task, 200, nothing run again. Other args: 409.
        let again = try await Self.post(daemon, "echo", ["key": "t1", "args": ["code": "0", "text": "hello"]])
        #expect(again.status == 200, "\(again.body)")
        #expect(try again.object()["sequence"] as? Int == created["t1"]?["sequence"] as? Int)
        let other = try await Self.post(daemon, "echo", ["key": "t1", "args": ["code": "0", "text": "bye"]])
        #expect(Self.outcome(other) == "409 task-exists", "\(other.body)")

        // An Idempotency-Key: its retries are answered 201 with the task it made; for another task, 409.
        let keyed = try await Self.post(daemon, "echo", ["key": "t4", "args": ["code": "0", "text": "keyed"]], key: "post-t4")
        let replay = try await Self.post(daemon, "echo", ["key": "t4", "args": ["code": "0", "text": "keyed"]], key: "post-t4")
        #expect(keyed.status == 201 && replay.status == 201, "\(keyed.body) \(replay.body)")
        #expect(try replay.object()["sequence"] as? Int == keyed.object()["sequence"] as? Int)
        let reused = try await Self.post(daemon, "echo", ["key": "t5", "args": ["code": "0", "text": "x"]], key: "post-t4")
        #expect(Self.outcome(reused) == "409 idempotency_key_reused", "\(reused.body)")
        _ = try await Self.state(daemon, "echo", "t4", is: "completed")

        // A key is any one line: reached through the path percent-encoded.
        let odd = try await Self.post(daemon, "echo", ["key": "a/b c?d", "args": ["code": "0", "text": "odd"]])
        #expect(odd.status == 201, "\(odd.body)")
        // The answer says what to call next, with the key as a path segment.
        let oddNext = Dictionary((try odd.object()["next_actions"] as? [[String: Any]] ?? []).map { ($0["action"] as? String ?? "", $0) },
                                 uniquingKeysWith: { first, _ in first })
        #expect(oddNext["get"]?["path"] as? String == "/api/v1/pools/echo/tasks/a%2Fb%20c%3Fd" && oddNext["get"]?["method"] as? String == "GET",
                "\(odd.body)")
        #expect(oddNext["cancel"]?["method"] as? String == "DELETE" && oddNext["claim"] == nil, "a push pool's task is not claimed: \(odd.body)")
        _ = try await Self.state(daemon, "echo", "a/b c?d", is: "completed")
        #expect(try Self.output(h, "echo", "a/b c?d") == "2:[odd][a/b c?d]")

        // Refusals, with nothing journaled.
        for (body, expected) in [(#"{"key": "", "args": {"code": "0", "text": "x"}}"#, "400 invalid-key"),
                                 (#"{"key": "two\nlines", "args": {"code": "0", "text": "x"}}"#, "400 invalid-key"),
                                 (#"{"key": 7, "args": {}}"#, "400 invalid-key"),
                                 (#"{"args": {}}"#, "400 invalid-key"),
                                 (#"{"key": "m", "args": {"code": "0"}}"#, "400 invalid-args"),
                                 (#"{"key": "m"}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": {"code": 0, "text": "x"}}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": {"code": "0", "text": {"nested": 1}}}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": {"code": "0", "text": "x", "bad name": "y"}}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": {"code": "0", "text": "a\u0000b"}}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": ["code"]}"#, "400 invalid-args"),
                                 (#"{"key": "m", "args": {}, "extra": 1}"#, "400 unknown-field"),
                                 ("[1]", "400 bad-request"), ("not json", "400 bad-request")] {
            let reply = try await Self.post(daemon, "echo", body)
            #expect(Self.outcome(reply) == expected, "\(body): \(reply.body)")
        }
        let filed = try await Self.post(daemon, "filed", ["key": "b", "args": [String: String]()])
        #expect(Self.outcome(filed) == "409 not-an-api-pool", "\(filed.body)")
        let nowhere = try await Self.post(daemon, "nowhere", ["key": "b"])
        #expect(Self.outcome(nowhere) == "404 unknown-pool", "\(nowhere.body)")
        let noToken = try await daemon.request(.POST, "/api/v1/pools/echo/tasks", body: #"{"key": "n", "args": {}}"#)
        #expect(noToken.status == 401)
        #expect(Self.outcome(try await daemon.get("/api/v1/pools/echo/tasks/nope", token: Self.token)) == "404 unknown-task")
        #expect(Self.outcome(try await daemon.get("/api/v1/pools/filed/tasks", token: Self.token)) == "409 not-an-api-pool")

        // Pages of two, in the order posted, walk every task once; a state filter; bad queries.
        var keys: [String] = []
        var path = "/api/v1/pools/echo/tasks?limit=2"
        for _ in 0..<5 {
            let page = try await daemon.get(path, token: Self.token)
            #expect(page.status == 200, "\(page.body)")
            let document = try page.object()
            let tasks = document["tasks"] as? [[String: Any]] ?? []
            #expect(tasks.count <= 2 && tasks.allSatisfy { $0["attempts"] == nil }, "\(document)")
            keys += tasks.compactMap { $0["key"] as? String }
            guard let next = document["next"] as? String else {
                #expect(document["next"] is NSNull, "the last page says so: \(document)")
                break
            }
            path = "/api/v1/pools/echo/tasks?limit=2&after=\(next)"
        }
        #expect(keys == ["t1", "t2", "t3", "t4", "a/b c?d"], "\(keys)")
        let deadOnes = try await daemon.get("/api/v1/pools/echo/tasks?state=dead_letter", token: Self.token).object()
        #expect((deadOnes["tasks"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["t3"], "\(deadOnes)")
        for query in ["limit=0", "limit=1001", "limit=x", "state=sleeping", "after=-1", "after=x"] {
            let reply = try await daemon.get("/api/v1/pools/echo/tasks?\(query)", token: Self.token)
            #expect(reply.status == 400, "\(query): \(reply.body)")
        }

        // DELETE of a running task stops its attempt; of a finished one changes nothing.
        let slow = try await Self.post(daemon, "slow", ["key": "s1", "args": ["seconds": "300"]])
        #expect(slow.status == 201, "\(slow.body)")
        _ = try await Self.state(daemon, "slow", "s1", is: "running")
        _ = try await daemon.eventually("the sleep running") { h.taskProcesses(pool: "slow").isEmpty ? nil : true }
        let cancel = try await daemon.request(.DELETE, "/api/v1/pools/slow/tasks/s1", token: Self.token)
        #expect(cancel.status == 202, "\(cancel.body)")
        #expect(try cancel.object()["cancel_requested_at"] is Int, "\(cancel.body)")
        let cancelled = try await Self.state(daemon, "slow", "s1", is: "cancelled")
        #expect(cancelled["attempts_started"] as? Int == 1, "\(cancelled)")
        _ = try await daemon.eventually("the sleep stopped") { h.taskProcesses(pool: "slow").isEmpty ? true : nil }
        let twice = try await daemon.request(.DELETE, "/api/v1/pools/slow/tasks/s1", token: Self.token)
        let twiceState = try twice.object()["state"] as? String
        #expect(twice.status == 200 && twiceState == "cancelled", "\(twice.body)")
        let finished = try await daemon.request(.DELETE, "/api/v1/pools/echo/tasks/t1", token: Self.token)
        let finishedState = try finished.object()["state"] as? String
        #expect(finished.status == 200 && finishedState == "completed", "\(finished.body)")
        #expect(Self.outcome(try await daemon.request(.DELETE, "/api/v1/pools/slow/tasks/nope", token: Self.token)) == "404 unknown-task")

        // Nothing ran twice.
        let final = try await daemon.get("/api/v1/pools/echo/tasks?limit=100", token: Self.token).object()
        let started = Dictionary(uniqueKeysWithValues: (final["tasks"] as? [[String: Any]] ?? []).map {
            ($0["key"] as? String ?? "", $0["attempts_started"] as? Int ?? -1)
        })
        #expect(started == ["t1": 1, "t2": 1, "t3": 2, "t4": 1, "a/b c?d": 1], "\(started)")

        // The CLI shows them as any other tasks.
        let listed = try h.tasksByKey("echo")
        #expect(listed["t1"]?["state"] as? String == "completed" && listed["t3"]?["state"] as? String == "dead_letter", "\(listed)")
        let status = try h.orbrec("status", "--json")
        let rows = (try h.json(status.stdout)["resources"] as? [[String: Any]]) ?? []
        let echoRow = rows.first { $0["resource"] as? String == "TaskPool/echo" }
        #expect(echoRow?["desired"] as? String == "5 task(s)", "\(status.stdout)")
        #expect((echoRow?["observed"] as? String)?.contains("done 4/5") == true, "\(status.stdout)")
        let daemonRows = try await daemon.get("/api/v1/resources", token: Self.token).body
        #expect(daemonRows.contains("5 task(s)"), "the daemon's report counts them too: \(daemonRows)")
    }

    @Test("A pull pool's posted task is claimed by a worker through the lease API, with its args in the command")
    func aPullPoolsTaskIsClaimed() async throws {
        let h = try Harness()
        try Self.writePools(h)
        let daemon = try await Self.start(h)
        defer { _ = try? daemon.stop() }
        let posted = try await Self.post(daemon, "pulled", ["key": "p1", "args": ["x": "$(id); echo pwned"]])
        #expect(posted.status == 201, "\(posted.body)")
        let claimNext = (try posted.object()["next_actions"] as? [[String: Any]] ?? []).first { $0["action"] as? String == "claim" }
        #expect(claimNext?["path"] as? String == "/api/v1/pools/pulled/claim", "\(posted.body)")
        let claim = try await daemon.eventually("a claim") { () -> [String: Any]? in
            let reply = try await daemon.request(.POST, "/api/v1/pools/pulled/claim", token: Self.token,
                                                 body: #"{"worker": "w1", "leaseSeconds": 30}"#)
            return reply.status == 200 ? try reply.object()["task"] as? [String: Any] : nil
        }
        #expect(claim["key"] as? String == "p1", "\(claim)")
        #expect(claim["command"] as? [String] == ["work", "$(id); echo pwned", "p1"], "\(claim)")
        #expect(try await Self.task(daemon, "pulled", "p1")["state"] as? String == "running")
        let token = try #require(claim["token"] as? String)
        let done = try await daemon.request(.POST, "/api/v1/tasks/pulled:p1/complete", token: Self.token, body: "{\"token\": \"\(token)\"}")
        #expect(done.status == 200, "\(done.body)")
        _ = try await Self.state(daemon, "pulled", "p1", is: "completed")
    }

    /// Appends its key to a file after a moment: a second run would show as a second line.
    static func writeOnce(_ h: Harness) throws {
        try h.writeScheduler("cpu", slots: 2)
        try h.write("once.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: once}
            spec:
              scheduler: cpu
              source: api
              command: ["sh", "-c", 'sleep 0.3; printf "%s\\n" "$1" >> "$2"', "sh", "${key}", "${args.file}"]
            """)
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test("kill -9 of the daemon between the journal and the answer, and right after a 201: after a restart each task runs exactly once")
    func aKilledDaemonRunsEachPostedTaskOnce() async throws {
        let h = try Harness()
        try Self.writeOnce(h)
        let file = h.directory + "/runs.log"

        // Killed after the task is journaled, before it is answered: the caller sees no answer.
        let doomed = try await Self.start(h, environment: ["ORBREC_FAILPOINT": "task.after-journal"])
        let lost = try? await Self.post(doomed, "once", ["key": "k1", "args": ["file": file]])
        #expect(lost == nil || lost?.status != 201, "the daemon died before answering: \(lost?.body ?? "")")
        _ = try doomed.process.wait(timeout: 10)

        var daemon = try await Self.start(h)
        _ = try await Self.state(daemon, "once", "k1", is: "completed")
        // The caller tries again: the same task, nothing more run.
        let retried = try await Self.post(daemon, "once", ["key": "k1", "args": ["file": file]])
        #expect(retried.status == 200, "\(retried.body)")

        // Answered 201, then killed at once, maybe while the task starts.
        let answered = try await Self.post(daemon, "once", ["key": "k2", "args": ["file": file]])
        #expect(answered.status == 201, "\(answered.body)")
        daemon.process.kill9()
        _ = try daemon.process.wait(timeout: 10)

        daemon = try await Self.start(h)
        defer { _ = try? daemon.stop() }
        let k2 = try await Self.state(daemon, "once", "k2", is: "completed")
        #expect(k2["attempts_started"] as? Int == 1, "\(k2)")
        let k1 = try await Self.task(daemon, "once", "k1")
        #expect(k1["attempts_started"] as? Int == 1, "\(k1)")
        // A look over everything, then the file: each key once.
        #expect(try await daemon.request(.POST, "/api/v1/reconcile", token: Self.token).status == 202)
        try await Task.sleep(for: .seconds(1))
        #expect(Self.lines(file).sorted() == ["k1", "k2"], "\(Self.lines(file))")
    }

    @Test("MCP over the daemon's /mcp: a task created runs at once, a running one is cancelled, with the API's codes")
    func mcpOverTheDaemon() async throws {
        let h = try Harness()
        try Self.writePools(h)
        let daemon = try await Self.start(h)
        defer { _ = try? daemon.stop() }
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
        let created = try await call("create_task", ["pool": "echo", "key": "d1", "args": ["code": "0", "text": "over /mcp"]])
        #expect(!created.isError, "\(created.body)")
        _ = try await Self.state(daemon, "echo", "d1", is: "completed", timeout: 10)
        #expect(try Self.output(h, "echo", "d1") == "2:[over /mcp][d1]")
        #expect(try await call("create_task", ["pool": "echo", "key": "d1", "args": ["code": "1", "text": "x"]]).body.errorCode == "task-exists")
        #expect(try await call("create_task", ["pool": "filed", "key": "d1"]).body.errorCode == "not-an-api-pool")

        _ = try await call("create_task", ["pool": "slow", "key": "s1", "args": ["seconds": "300"]])
        _ = try await Self.state(daemon, "slow", "s1", is: "running")
        let cancelled = try await call("cancel_task", ["pool": "slow", "key": "s1"])
        #expect(!cancelled.isError, "\(cancelled.body)")
        _ = try await Self.state(daemon, "slow", "s1", is: "cancelled")
        _ = try await daemon.eventually("the sleep stopped") { h.taskProcesses(pool: "slow").isEmpty ? true : nil }
        #expect(try await call("cancel_task", ["pool": "slow", "key": "nope"]).body.errorCode == "unknown-task")
    }

    @Test("MCP over stdio: create_task and cancel_task with the API's codes; the next apply runs one and cancels the other")
    func mcpCreatesAndCancels() throws {
        let h = try Harness()
        try Self.writePools(h)
        let client = try h.startMCP()
        _ = try client.initialize()
        let tools = Set(((try client.request("tools/list")["tools"]) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        #expect(tools.isSuperset(of: ["create_task", "cancel_task"]), "\(tools)")

        let created = try client.call("create_task", ["pool": "echo", "key": "m1", "args": ["code": "0", "text": "from mcp"]])
        #expect(!created.isError && created.body["state"] as? String == "pending", "\(created.body)")
        let again = try client.call("create_task", ["pool": "echo", "key": "m1", "args": ["code": "0", "text": "from mcp"]])
        #expect(again.body["sequence"] as? Int == created.body["sequence"] as? Int, "\(again.body)")
        #expect(try client.call("create_task", ["pool": "echo", "key": "m1", "args": ["code": "1", "text": "x"]]).errorCode == "task-exists")
        #expect(try client.call("create_task", ["pool": "filed", "key": "m1"]).errorCode == "not-an-api-pool")
        #expect(try client.call("create_task", ["pool": "nowhere", "key": "m1"]).errorCode == "unknown-pool")
        #expect(try client.call("create_task", ["pool": "echo", "key": "", "args": ["code": "0", "text": "x"]]).errorCode == "invalid-key")
        #expect(try client.call("create_task", ["pool": "echo", "key": "m9", "args": ["code": "0"]]).errorCode == "invalid-args")
        #expect(try client.call("create_task", ["pool": "echo", "key": "m9", "args": ["code": 0, "text": "x"]]).errorCode == "invalid-args")
        let second = try client.call("create_task", ["pool": "echo", "key": "m2", "args": ["code": "0", "text": "never"]])
        #expect(!second.isError, "\(second.body)")
        let cancelled = try client.call("cancel_task", ["pool": "echo", "key": "m2"])
        #expect(!cancelled.isError && cancelled.body["cancel_requested_at"] is Int, "\(cancelled.body)")
        #expect(try client.call("cancel_task", ["pool": "echo", "key": "nope"]).errorCode == "unknown-task")
        let closed = try client.close()
        #expect(closed.status == 0, "\(client.stderr)")

        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        let tasks = try h.tasksByKey("echo")
        #expect(tasks["m1"]?["state"] as? String == "completed", "\(tasks)")
        #expect(tasks["m2"]?["state"] as? String == "cancelled" && tasks["m2"]?["attempts_started"] as? Int == 0, "\(tasks)")
        #expect(try Self.output(h, "echo", "m1") == "2:[from mcp][m1]")
    }
}
