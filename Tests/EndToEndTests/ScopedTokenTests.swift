import Foundation
import Glibc
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Scoped tokens over the daemon's real HTTP API: a tokens file of hashed secrets, each with
/// scopes (read, operate, worker) and an optional rate limit, read at start and again on
/// SIGHUP; ORBREC_TOKEN still opens everything.
@Suite("Scoped tokens", .serialized)
struct ScopedTokenTests {
    static let reader = "reader-secret-0123456789abcdef"
    static let worker = "worker-secret-0123456789abcdef"
    static let operator_ = "operator-secret-0123456789abcdef"
    static let single = "single-token-0123456789abcdef"

    /// One entry of a tokens file: the secret is hashed by `orbrec token hash`.
    struct Entry {
        var name: String
        var secret: String
        var scopes: [String]
        var rateLimit: String? = nil
    }

    static func sha256(_ harness: Harness, _ secret: String) throws -> String {
        let result = try harness.run(["token", "hash"], stdin: secret + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes the tokens file whole, private, and renamed into place (as an editor saves).
    static func writeTokens(_ harness: Harness, _ entries: [Entry], path: String? = nil, mode: mode_t = 0o600) throws -> String {
        let path = path ?? harness.directory + "/tokens.yaml"
        var text = "tokens:\n"
        for entry in entries {
            text += "  - name: \(entry.name)\n    sha256: \(try sha256(harness, entry.secret))\n    scopes: [\(entry.scopes.joined(separator: ", "))]\n"
            if let limit = entry.rateLimit { text += "    rateLimit: \(limit)\n" }
        }
        try writePrivate(text, to: path, mode: mode)
        return path
    }

    static func writePrivate(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        let scratch = path + ".new"
        try text.write(toFile: scratch, atomically: false, encoding: .utf8)
        chmod(scratch, mode)
        rename(scratch, path)
    }

    static let standard = [Entry(name: "reader", secret: reader, scopes: ["read"]),
                           Entry(name: "worker", secret: worker, scopes: ["worker"]),
                           Entry(name: "operator", secret: operator_, scopes: ["read", "operate"])]

    static func post(_ daemon: DaemonProcess, _ path: String, token: String?, _ body: String = "{}") async throws -> DaemonProcess.Reply {
        try await daemon.request(.POST, path, token: token, body: body)
    }

    /// `403 missing-scope operate`, `401 unauthorized`, `202 -`: status, code and scope of a reply.
    static func outcome(_ reply: DaemonProcess.Reply) -> String {
        let error = (try? reply.object())?["error"] as? [String: Any]
        return "\(reply.status) \(error?["code"] as? String ?? "-")" + ((error?["scope"] as? String).map { " \($0)" } ?? "")
    }

    static func pullPool(_ harness: Harness) throws {
        try harness.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec: {mode: pull, range: {from: 1, to: 2}}
            """)
    }

    static func refusals(_ daemon: DaemonProcess, token: String) async throws -> [String: Int] {
        let text = try await daemon.get("/metrics", token: token).body
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("orbrec_http_refusals_total{") {
            let parts = line.split(separator: " ")
            let reason = parts[0].split(separator: "\"")[1]
            counts[String(reason)] = Int(parts[1])
        }
        return counts
    }

    @Test("a worker token claims and completes but cannot return machines or reconcile; a read token reads but cannot claim; an operate token reconciles; ORBREC_TOKEN opens everything beside the file",
          arguments: TestStateBackend.allCases)
    func scopesOverHTTP(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 0)
        try Self.pullPool(harness)
        let tokens = try Self.writeTokens(harness, Self.standard)
        let daemon = try harness.startDaemon(["--tokens-file", tokens, "--task-interval", "200ms"], environment: ["ORBREC_TOKEN": Self.single])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await daemon.eventually("the tasks offered") { try await daemon.get("/api/v1/tasks?pool=jobs").array().count == 2 ? true : nil }

        // The worker: claim and complete, but nothing an operator does.
        let claim = try await Self.post(daemon, "/api/v1/pools/jobs/claim", token: Self.worker, #"{"worker": "w1"}"#)
        #expect(claim.status == 200, "\(claim.body)")
        let task = try #require(try claim.object()["task"] as? [String: Any], "\(claim.body)")
        let id = try #require(task["id"] as? String)
        let lease = try #require(task["token"] as? String)
        let heartbeat = try await Self.post(daemon, "/api/v1/tasks/\(id)/heartbeat", token: Self.worker, "{\"token\": \"\(lease)\"}")
        #expect(heartbeat.status == 200, "\(heartbeat.body)")
        let complete = try await Self.post(daemon, "/api/v1/tasks/\(id)/complete", token: Self.worker, "{\"token\": \"\(lease)\"}")
        #expect(complete.status == 200, "\(complete.body)")
        #expect(try await daemon.get("/api/v1/tasks?pool=jobs", token: Self.worker).status == 200)
        let returning = try await Self.post(daemon, "/api/v1/machines/return", token: Self.worker, #"{"machine_ids": ["sleeper-x"]}"#)
        #expect(Self.outcome(returning) == "403 missing-scope operate", "\(returning.body)")
        let message = (try returning.object()["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("worker") && message.contains("operate") && message.contains("POST /api/v1/machines/return"), "\(message)")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: Self.worker)) == "403 missing-scope operate")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/machines/request", token: Self.worker,
                                                 #"{"template_id": "sleeper", "count": 1}"#)) == "403 missing-scope operate")

        // The reader: reads, but claims nothing and changes nothing.
        #expect(try await daemon.get("/api/v1/actions", token: Self.reader).status == 200)
        let readerClaim = try await Self.post(daemon, "/api/v1/pools/jobs/claim", token: Self.reader, #"{"worker": "r"}"#)
        #expect(Self.outcome(readerClaim) == "403 missing-scope worker", "\(readerClaim.body)")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: Self.reader)) == "403 missing-scope operate")

        // The operator and the single token reconcile; a wrong or missing token is 401.
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: Self.operator_)) == "202 -")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: Self.single)) == "202 -")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/pools/jobs/claim", token: Self.single, #"{"worker": "s"}"#)).hasPrefix("200"))
        let wrong = try await Self.post(daemon, "/api/v1/reconcile", token: Self.operator_ + "x")
        #expect(Self.outcome(wrong) == "401 unauthorized", "\(wrong.body)")
        #expect(wrong.headers.first(name: "WWW-Authenticate") == "Bearer realm=\"orbrec\"")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: nil)) == "401 unauthorized")

        let counts = try await Self.refusals(daemon, token: Self.reader)
        #expect(counts["missing-scope"] == 5 && counts["unauthorized"] == 2 && counts["rate-limited"] == 0, "\(counts)")
        let log = daemon.log
        #expect(log.contains("token=set tokens=3"), "the starting line counts the tokens: \(log.prefix(600))")
        for secret in [Self.reader, Self.worker, Self.operator_, Self.single] {
            #expect(!log.contains(secret), "a secret must never be logged")
            #expect(!log.contains(try Self.sha256(harness, secret)), "a hash must never be logged")
        }
    }

    @Test("beyond loopback every read needs a read token (a worker's reads its tasks only), health stays open, and a tokens file alone lets the daemon listen")
    func scopesBeyondLoopback() async throws {
        let harness = try Harness()
        try harness.writeFleet(count: 0)
        try Self.pullPool(harness)
        let tokens = try Self.writeTokens(harness, Self.standard)
        let daemon = try harness.startDaemon(["--tokens-file", tokens], listen: "0.0.0.0:0")
        defer { _ = try? daemon.stop() }
        #expect(try await daemon.get("/healthz").status == 200)
        #expect(try await daemon.get("/readyz").status != 401)
        #expect(Self.outcome(try await daemon.get("/api/v1/actions")) == "401 unauthorized")
        #expect(Self.outcome(try await daemon.get("/api/v1/actions", token: Self.worker)) == "403 missing-scope read")
        #expect(Self.outcome(try await daemon.get("/metrics", token: Self.worker)) == "403 missing-scope read")
        #expect(try await daemon.get("/api/v1/tasks?pool=jobs", token: Self.worker).status == 200, "a worker reads the tasks it works on")
        #expect(try await daemon.get("/api/v1/actions", token: Self.reader).status == 200)
        #expect(try await daemon.get("/metrics", token: Self.reader).status == 200)
        #expect(try await daemon.request(.HEAD, "/api/v1/actions", token: Self.reader).status == 200)
        #expect(Self.outcome(try await daemon.get("/api/v1/nowhere", token: Self.reader)) == "404 not-found")
        #expect(Self.outcome(try await daemon.get("/api/v1/nowhere")) == "401 unauthorized", "no route is revealed without a token")
        let stream = try await daemon.request(.GET, "/api/v1/events?after=0", token: Self.worker)
        #expect(Self.outcome(stream) == "403 missing-scope read")
    }

    @Test("SIGHUP reads the tokens file again: a new token works and a removed one is refused at once, without a restart; a bad or open file keeps the tokens in force")
    func reloadOnSIGHUP() async throws {
        let harness = try Harness()
        try harness.writeFleet(count: 0)
        let alpha = "alpha-secret-0123456789abcdef"
        let tokens = try Self.writeTokens(harness, [Entry(name: "alpha", secret: alpha, scopes: ["operate"])])
        let daemon = try harness.startDaemon(["--tokens-file", tokens])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: alpha)) == "202 -")

        // A new token, made by `orbrec token new`: its secret printed once, its entry to paste.
        let made = try harness.run(["token", "new", "--name", "beta", "--scopes", "operate,read"])
        #expect(made.status == 0, "\(made.stderr)")
        let lines = made.stdout.split(separator: "\n").map(String.init)
        let beta = try #require(lines.first { !$0.hasPrefix("#") && !$0.hasPrefix(" ") }, "\(made.stdout)")
        #expect(beta.count == 64, "\(made.stdout)")
        let entry = lines.filter { $0.hasPrefix("  ") }.joined(separator: "\n")
        #expect(entry.contains("- name: beta") && entry.contains("scopes: [read, operate]"), "\(made.stdout)")
        #expect(entry.contains(try Self.sha256(harness, beta)), "the entry holds the secret's SHA-256: \(made.stdout)")
        #expect(!entry.contains(beta), "the entry does not hold the secret")
        let pid = daemon.process.pid
        try Self.writePrivate("tokens:\n" + entry + "\n", to: tokens)
        daemon.signal(SIGHUP)
        _ = try await daemon.eventually("beta in force") {
            try await Self.post(daemon, "/api/v1/reconcile", token: beta).status == 202 ? true : nil
        }
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: alpha)) == "401 unauthorized", "alpha is gone")
        #expect(daemon.log.contains("msg=\"tokens reloaded\"") && daemon.log.contains("tokens=1"), "\(daemon.log.suffix(800))")

        // A bad file: the tokens in force stay, and the log says why (never with the hash).
        try Self.writePrivate("tokens:\n  - name: gamma\n    sha256: \(try Self.sha256(harness, alpha))\n    scopes: [admin]\n", to: tokens)
        daemon.signal(SIGHUP)
        _ = try await daemon.eventually("the refusal logged") { daemon.log.contains("tokens file refused") ? true : nil }
        #expect(daemon.log.contains("unknown scope") && daemon.log.contains("admin"), "\(daemon.log.suffix(800))")
        #expect(!daemon.log.contains(try Self.sha256(harness, alpha)), "a hash must never be logged")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: beta)) == "202 -", "beta stays in force")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: alpha)) == "401 unauthorized")

        // Opened to the group: refused too.
        try Self.writePrivate("tokens:\n" + entry + "\n", to: tokens, mode: 0o640)
        daemon.signal(SIGHUP)
        _ = try await daemon.eventually("the open file refused") {
            daemon.log.components(separatedBy: "tokens file refused").count == 3 ? true : nil
        }
        #expect(daemon.log.contains("open to its group"), "\(daemon.log.suffix(800))")
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: beta)) == "202 -")
        #expect(daemon.process.pid == pid && kill(pid, 0) == 0, "the same daemon, never restarted")
        #expect(try daemon.stop().status == 0)
    }

    @Test("a token with rateLimit 2/s is answered 429 with Retry-After when hammered, then let through again")
    func rateLimit() async throws {
        let harness = try Harness()
        try harness.writeFleet(count: 0)
        let limited = "limited-secret-0123456789abcdef"
        let tokens = try Self.writeTokens(harness, Self.standard + [
            Entry(name: "limited", secret: limited, scopes: ["operate"], rateLimit: "{perSecond: 2, burst: 2}"),
        ])
        let daemon = try harness.startDaemon(["--tokens-file", tokens])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        var replies: [DaemonProcess.Reply] = []
        for _ in 0..<10 { replies.append(try await Self.post(daemon, "/api/v1/reconcile", token: limited)) }
        let passed = replies.filter { $0.status == 202 }.count
        #expect((2...4).contains(passed), "the burst of 2, and what refilled meanwhile: \(replies.map(\.status))")
        let refused = try #require(replies.first { $0.status == 429 }, "\(replies.map(\.status))")
        #expect(Self.outcome(refused) == "429 rate-limited", "\(refused.body)")
        let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap { Int($0) }, "\(refused.headers)")
        #expect(retryAfter >= 1)
        // Other tokens have buckets of their own, and none without a limit.
        for _ in 0..<10 { #expect(try await Self.post(daemon, "/api/v1/reconcile", token: Self.operator_).status == 202) }
        try await Task.sleep(for: .seconds(Double(retryAfter)))
        #expect(Self.outcome(try await Self.post(daemon, "/api/v1/reconcile", token: limited)) == "202 -", "let through after Retry-After")
        let counts = try await Self.refusals(daemon, token: Self.reader)
        #expect(counts["rate-limited"] == 10 - passed, "\(counts)")
    }

    @Test("a tokens file open to the group, or with a bad entry, stops the daemon at start with a clear message")
    func refusedAtStart() throws {
        let harness = try Harness()
        try harness.writeFleet(count: 0)
        let open = try Self.writeTokens(harness, Self.standard, mode: 0o640)
        let refused = try harness.run(["run", "-c", harness.config, "--state", harness.state, "--listen", "127.0.0.1:0", "--tokens-file", open])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the tokens file \(open) is open to its group (mode 640)") && refused.stderr.contains("chmod 600 \(open)"),
                "\(refused.stderr)")

        let bad = harness.directory + "/bad.yaml"
        try Self.writePrivate("tokens:\n  - name: x\n    sha256: abc\n    scopes: [read, everything]\n  - {name: token, sha256: 00, scopes: []}\n", to: bad)
        let badRun = try harness.run(["run", "-c", harness.config, "--state", harness.state, "--listen", "127.0.0.1:0"],
                                     environment: ["ORBREC_TOKENS_FILE": bad])
        #expect(badRun.status == 1)
        for expected in ["\(bad):3:13: tokens[0].sha256 must be 64 hex digits", "\(bad):4:20: tokens[0].scopes: unknown scope \"everything\"",
                         "tokens[1].name: token is the name of ORBREC_TOKEN", "tokens[1].scopes must be a list of at least one"] {
            #expect(badRun.stderr.contains(expected), "\(expected) in \(badRun.stderr)")
        }
    }

    @Test("MCP over HTTP checks each tool's scope: a read token calls status but not return_machines or claim_task, and every tool has a scope")
    func mcpToolScopes() async throws {
        let harness = try Harness()
        try harness.writeFleet(count: 0)
        try Self.pullPool(harness)
        let tokens = try Self.writeTokens(harness, Self.standard)
        let daemon = try harness.startDaemon(["--tokens-file", tokens])
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        func call(_ tool: String, _ arguments: [String: Any] = [:], token: String, id: Int = 2) async throws -> (error: [String: Any]?, body: String) {
            let reply = try await DaemonMCPTests.rpc(daemon, "tools/call", ["name": tool, "arguments": arguments], id: id, token: token)
            #expect(reply.status == 200, "\(tool): \(reply.status) \(reply.body)")
            let result = try reply.object()["result"] as? [String: Any]
            let error = (result?["isError"] as? Bool == true) ? (result?["structuredContent"] as? [String: Any])?["error"] as? [String: Any] : nil
            return (error, reply.body)
        }
        let initialized = try await DaemonMCPTests.rpc(daemon, "initialize", [
            "protocolVersion": "2025-06-18", "capabilities": [String: Any](), "clientInfo": ["name": "e2e", "version": "1"],
        ], token: Self.reader)
        #expect(initialized.status == 200, "\(initialized.body)")
        #expect(try await DaemonMCPTests.rpc(daemon, "tools/list", [:], token: nil).status == 401)

        // tools/list offers each token only what it may call.
        func listed(_ token: String) async throws -> Set<String> {
            let reply = try await DaemonMCPTests.rpc(daemon, "tools/list", [:], id: 4, token: token)
            #expect(reply.status == 200, "\(reply.body)")
            return Set(((try reply.object()["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        }
        let forReader = try await listed(Self.reader)
        #expect(forReader.contains("status") && forReader.contains("list_tasks") && forReader.contains("list_workflow_runs"), "\(forReader.sorted())")
        #expect(forReader.isDisjoint(with: ["return_machines", "claim_task", "requeue_tasks", "create_task"]), "\(forReader.sorted())")
        let forWorker = try await listed(Self.worker)
        #expect(forWorker.contains("claim_task") && !forWorker.contains("return_machines"), "\(forWorker.sorted())")

        let status = try await call("status", token: Self.reader)
        #expect(status.error == nil, "\(status.body)")
        let returning = try await call("return_machines", ["machine_ids": ["sleeper-x"]], token: Self.reader)
        #expect(returning.error?["code"] as? String == "missing-scope" && returning.error?["scope"] as? String == "operate", "\(returning.body)")
        let claim = try await call("claim_task", ["pool": "jobs", "worker": "r"], token: Self.reader)
        #expect(claim.error?["code"] as? String == "missing-scope" && claim.error?["scope"] as? String == "worker", "\(claim.body)")
        let requeue = try await call("requeue_tasks", ["pool": "jobs", "all_dead_letter": true], token: Self.worker)
        #expect(requeue.error?["scope"] as? String == "operate", "\(requeue.body)")
        let workerClaim = try await call("claim_task", ["pool": "jobs", "worker": "w"], token: Self.worker)
        #expect(workerClaim.error == nil, "\(workerClaim.body)")

        // Every tool the daemon lists has a scope: called with no arguments by a token with
        // every scope, none is refused as unscoped (they fail, if at all, on their arguments).
        let all = "all-scopes-secret-0123456789abcdef"
        _ = try Self.writeTokens(harness, Self.standard + [Entry(name: "all", secret: all, scopes: ["read", "operate", "worker"])], path: tokens)
        daemon.signal(SIGHUP)
        _ = try await daemon.eventually("the new token") {
            try await DaemonMCPTests.rpc(daemon, "tools/list", [:], token: all).status == 200 ? true : nil
        }
        let listed = try await DaemonMCPTests.rpc(daemon, "tools/list", [:], id: 3, token: all)
        let names = ((try listed.object()["result"] as? [String: Any])?["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.count >= 17, "\(listed.body)")
        for (index, name) in names.enumerated() where name != "plan_preview" {
            let answer = try await call(name, token: all, id: 10 + index)
            #expect(answer.error?["code"] as? String != "unscoped-tool" && answer.error?["code"] as? String != "missing-scope", "\(name): \(answer.body)")
        }
    }
}
