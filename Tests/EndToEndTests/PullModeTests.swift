import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Pull-mode pools over the daemon's real HTTP API: workers claim tasks with leases and end
/// them with fencing tokens. Several real worker processes (examples/agents/worker.py) race
/// for the tasks; a killed worker's task is recovered after its lease; a stale worker is
/// refused; a returned machine's leases are revoked at once.
@Suite("Pull-mode pools", .serialized)
struct PullModeTests {
    static let token = "pull-mode-test-token-0123456789abcdef"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func pool(_ harness: Harness, tasks: Int, maxAttempts: Int = 3, extra: String = "") throws {
        try harness.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec:
              mode: pull
              range: {from: 1, to: \(tasks)}
              command: ["sh", "-c", "echo ${item} >> \(harness.directory)/done.log"]
              retry: {maxAttempts: \(maxAttempts), initialBackoff: 500ms, maxBackoff: 1s, jitter: 0}
            \(extra)
            """)
    }

    static func start(_ harness: Harness) async throws -> DaemonProcess {
        let daemon = try harness.startDaemon(["--task-interval", "200ms"], environment: ["ORBREC_TOKEN": token])
        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        return daemon
    }

    static func role(_ daemon: DaemonProcess) async -> String? {
        (try? await daemon.get("/readyz").object())?["role"] as? String
    }

    static func post(_ daemon: DaemonProcess, _ path: String, _ body: [String: Any], key: String? = nil) async throws -> DaemonProcess.Reply {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await daemon.request(.POST, path, token: token, headers: key.map { [("Idempotency-Key", $0)] } ?? [],
                                        body: String(decoding: data, as: UTF8.self))
    }

    static func claim(_ daemon: DaemonProcess, worker: String, lease: Int = 30, machine: String? = nil) async throws -> [String: Any]? {
        var body: [String: Any] = ["worker": worker, "leaseSeconds": lease]
        if let machine { body["machine"] = machine }
        let reply = try await post(daemon, "/api/v1/pools/jobs/claim", body)
        if reply.status == 204 { return nil }
        #expect(reply.status == 200, "\(reply.body)")
        return try reply.object()
    }

    static func tasks(_ daemon: DaemonProcess) async throws -> [String: [String: Any]] {
        let rows = try await daemon.get("/api/v1/tasks?pool=jobs").array()
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as? String ?? "", $0) })
    }

    @Test(arguments: TestStateBackend.allCases)
    func workersRacingCompleteEveryTaskExactlyOnce(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 40)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("the tasks offered") { try await Self.tasks(daemon).count == 40 ? true : nil }
        var workers: [Harness.Running] = []
        for index in 1...4 {
            workers.append(try harness.spawn("/usr/bin/env", ["python3", Self.repository + "/examples/agents/worker.py", "--url", daemon.base,
                                                               "--pool", "jobs", "--worker", "w\(index)", "--lease", "10", "--idle-exit", "3"],
                                             environment: ["ORBREC_TOKEN": Self.token]))
        }
        for worker in workers {
            let result = try worker.wait(timeout: 90)
            #expect(result.status == 0, "worker: \(result.stderr)")
        }
        let done = ((try? String(contentsOfFile: harness.directory + "/done.log", encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(done.sorted() == (1...40).map { Substring(String($0)) }.sorted(), "every task ran exactly once: \(done.count) lines")
        let tasks = try await daemon.eventually("every task completed") { () -> [String: [String: Any]]? in
            let tasks = try await Self.tasks(daemon)
            return tasks.values.allSatisfy { $0["state"] as? String == "completed" } && tasks.count == 40 ? tasks : nil
        }
        #expect(tasks.values.allSatisfy { $0["attempts_started"] as? Int == 1 }, "no task was run twice")
        let jobs = Set(tasks.values.compactMap { ($0["attempts"] as? [[String: Any]])?.first?["job_id"] as? String })
        #expect(jobs.count > 1, "the work was shared: \(jobs)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aKilledWorkersTaskIsRecoveredAfterItsLeaseAndAStaleCompletionIsRefused(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 1)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        let first = try await daemon.eventually("a claim") { try await Self.claim(daemon, worker: "doomed", lease: 1) }
        let task = try #require(first["task"] as? [String: Any])
        #expect(task["attempt"] as? Int == 1)
        #expect(task["command"] as? [String] == ["sh", "-c", "echo 1 >> \(harness.directory)/done.log"])
        #expect(task["leaseExpiresAt"] is String)
        let staleToken = try #require(task["token"] as? String)
        let actions = (first["next_actions"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        #expect(actions == ["complete", "heartbeat", "fail", "release"], "\(actions)")
        #expect(try await Self.claim(daemon, worker: "other") == nil, "nothing else to claim: 204")

        // The worker dies: nothing heartbeats. After the lease and the retry backoff, attempt 2 is offered.
        let second = try await daemon.eventually("attempt 2 offered", timeout: 20) { try await Self.claim(daemon, worker: "rescuer") }
        let rescued = try #require(second["task"] as? [String: Any])
        #expect(rescued["attempt"] as? Int == 2)
        let stale = try await Self.post(daemon, "/api/v1/tasks/jobs:1/complete", ["token": staleToken, "result": ["late": true]])
        #expect(stale.status == 409)
        #expect((try stale.object()["error"] as? [String: Any])?["code"] as? String == "stale_attempt", "\(stale.body)")
        let done = try await Self.post(daemon, "/api/v1/tasks/jobs:1/complete", ["token": rescued["token"] as? String ?? "", "result": ["ok": 1]])
        #expect(done.status == 200, "\(done.body)")
        #expect((try done.object()["task"] as? [String: Any])?["state"] as? String == "completed")
        let record = try await daemon.eventually("completed, the expiry counted as a timeout") { () -> [String: Any]? in
            let row = try await Self.tasks(daemon)["1"]
            return row?["state"] as? String == "completed" ? row : nil
        }
        let attempts = record["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.first?["failure_class"] as? String == "timeout", "\(attempts)")
        #expect(record["attempts_consumed"] as? Int == 1)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aReturnedMachinesLeasesAreRevokedAtOnce(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        try Self.pool(harness, tasks: 2)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        let machine = try await daemon.eventually("a running machine") {
            try await daemon.get("/api/v1/machines").array().first { $0["state"] as? String == "running" }?["id"] as? String
        }
        let claimed = try await daemon.eventually("a claim") { try await Self.claim(daemon, worker: "on-machine", lease: 300, machine: machine) }
        let task = try #require(claimed["task"] as? [String: Any])
        let id = try #require(task["id"] as? String)
        let token = try #require(task["token"] as? String)
        #expect(try await Self.post(daemon, "/api/v1/tasks/\(id)/heartbeat", ["token": token]).status == 200)

        let started = Date()
        try harness.writeFleet(count: 0)  // the machine is returned
        let refused = try await daemon.eventually("the heartbeat refused", timeout: 20) { () -> DaemonProcess.Reply? in
            let reply = try await Self.post(daemon, "/api/v1/tasks/\(id)/heartbeat", ["token": token])
            return reply.status == 409 ? reply : nil
        }
        #expect(Date().timeIntervalSince(started) < 20, "revoked at once, not after the 300 s lease")
        #expect(refused.body.contains("being returned"), "\(refused.body)")
        let row = try await daemon.eventually("the attempt settled as infra") { () -> [String: Any]? in
            let row = try await Self.tasks(daemon)[task["key"] as? String ?? ""]
            let attempts = row?["attempts"] as? [[String: Any]] ?? []
            return attempts.first?["failure_class"] as? String == "infra" ? row : nil
        }
        #expect(row["attempts_consumed"] as? Int == 0, "no attempt used: \(row)")
        let again = try await daemon.eventually("offered again at once") { try await Self.claim(daemon, worker: "elsewhere") }
        #expect((again["task"] as? [String: Any])?["key"] as? String != nil)
    }

    @Test(arguments: TestStateBackend.allCases)
    func idempotencyKeysReplayTheFirstAnswerAndRefuseADifferentRequest(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 3)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("offered") { try await Self.tasks(daemon).count == 3 ? true : nil }
        let body: [String: Any] = ["worker": "w", "leaseSeconds": 30]
        let first = try await Self.post(daemon, "/api/v1/pools/jobs/claim", body, key: "claim-1")
        let replay = try await Self.post(daemon, "/api/v1/pools/jobs/claim", body, key: "claim-1")
        #expect(first.status == 200 && replay.status == 200)
        #expect(first.body == replay.body, "the same task and token again")
        let other = try await Self.post(daemon, "/api/v1/pools/jobs/claim", ["worker": "v"], key: "claim-1")
        #expect(other.status == 409)
        #expect(other.body.contains("idempotency_key_reused"), "\(other.body)")
        let fresh = try await Self.post(daemon, "/api/v1/pools/jobs/claim", body, key: "claim-2")
        #expect((try fresh.object()["task"] as? [String: Any])?["key"] as? String
                != (try first.object()["task"] as? [String: Any])?["key"] as? String, "a new key claims a new task")
    }

    @Test(arguments: TestStateBackend.allCases)
    func failAndReleaseFollowTheRetryPolicyAndBadInputIsRefused(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 1, maxAttempts: 2)
        try harness.write("push.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 1}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: pushed}
            spec: {scheduler: cpu, items: [a], command: ["true"]}
            """)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        #expect(try await Self.post(daemon, "/api/v1/pools/pushed/claim", ["worker": "w"]).status == 409, "a push pool is not claimed")
        #expect(try await Self.post(daemon, "/api/v1/pools/nope/claim", ["worker": "w"]).status == 404)
        #expect(try await Self.post(daemon, "/api/v1/pools/jobs/claim", ["leaseSeconds": 5]).status == 400, "worker is required")
        #expect(try await Self.post(daemon, "/api/v1/pools/jobs/claim", ["worker": "w", "leaseSeconds": 0]).status == 400)
        #expect(try await daemon.request(.POST, "/api/v1/pools/jobs/claim", body: "{\"worker\":\"w\"}").status == 401, "POST needs the token")

        // Released: back at once, no attempt used.
        let first = try await daemon.eventually("a claim") { try await Self.claim(daemon, worker: "w1") }
        let one = try #require(first["task"] as? [String: Any])
        let released = try await Self.post(daemon, "/api/v1/tasks/jobs:1/release", ["token": one["token"] as? String ?? ""])
        #expect(released.status == 200, "\(released.body)")
        // Failed with a retry delay: attempt 3 (2 was released... no: the release used no attempt) comes after it.
        let second = try await daemon.eventually("offered again after the release") { try await Self.claim(daemon, worker: "w2") }
        let two = try #require(second["task"] as? [String: Any])
        let failed = try await Self.post(daemon, "/api/v1/tasks/jobs:1/fail",
                                         ["token": two["token"] as? String ?? "", "reason": "disk full", "retryAfterSeconds": 1])
        #expect(failed.status == 200, "\(failed.body)")
        let failedTask = try #require(try failed.object()["task"] as? [String: Any])
        #expect(failedTask["state"] as? String == "retrying")
        let next = (try failed.object()["next_actions"] as? [[String: Any]])?.first
        #expect(next?["action"] as? String == "claim" && next?["retryAfterSeconds"] as? Int == 1, "\(String(describing: next))")
        let third = try await daemon.eventually("the last attempt", timeout: 20) { try await Self.claim(daemon, worker: "w3") }
        let last = try #require(third["task"] as? [String: Any])
        let finalFail = try await Self.post(daemon, "/api/v1/tasks/jobs:1/fail", ["token": last["token"] as? String ?? ""])
        #expect((try finalFail.object()["task"] as? [String: Any])?["state"] as? String == "dead_letter", "\(finalFail.body)")
        let row = try await daemon.eventually("dead-lettered") { () -> [String: Any]? in
            let row = try await Self.tasks(daemon)["1"]
            return row?["state"] as? String == "dead_letter" ? row : nil
        }
        #expect(row["attempts_consumed"] as? Int == 2, "the release used no attempt: \(row)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func leasesSurviveADaemonKilledWithSIGKILL(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 3)
        let first = try await Self.start(harness)
        var held: [[String: Any]] = []
        for index in 1...3 {
            let claim = try await first.eventually("claim \(index)") { try await Self.claim(first, worker: "w\(index)", lease: 2) }
            held.append(try #require(claim["task"] as? [String: Any]))
        }
        let done = try await Self.post(first, "/api/v1/tasks/\(held[0]["id"] as? String ?? "")/complete", ["token": held[0]["token"] as? String ?? ""])
        #expect(done.status == 200)
        first.process.kill9()
        _ = try first.process.wait(timeout: 10)
        // Down for longer than the leases: the workers could not heartbeat, and must not lose them.
        try await Task.sleep(for: .seconds(3))

        // A new daemon on the same state: the workers carry on with their tokens.
        let second = try await Self.start(harness)
        defer { _ = try? second.stop() }
        if backend == .postgres {
            // On PostgreSQL the new daemon follows its dead predecessor until that one's lead
            // lapses (--leader-ttl); it renewed the leases as it started, so a worker's heartbeat
            // in between is taken, not refused.
            let early = held[1]
            let beat = try await Self.post(second, "/api/v1/tasks/\(early["id"] as? String ?? "")/heartbeat", ["token": early["token"] as? String ?? ""])
            #expect(beat.status == 200, "\(beat.body)")
        }
        for task in held.dropFirst() {
            let id = task["id"] as? String ?? ""
            let beat = try await Self.post(second, "/api/v1/tasks/\(id)/heartbeat", ["token": task["token"] as? String ?? ""])
            #expect(beat.status == 200, "the lease survived the crash: \(beat.body)")
            let completed = try await Self.post(second, "/api/v1/tasks/\(id)/complete", ["token": task["token"] as? String ?? ""])
            #expect(completed.status == 200, "\(completed.body)")
        }
        let again = try await Self.post(second, "/api/v1/tasks/\(held[0]["id"] as? String ?? "")/complete", ["token": held[0]["token"] as? String ?? ""])
        #expect(again.status == 409, "a completed attempt stays completed: \(again.body)")
        // On PostgreSQL the ends are settled once the new daemon leads (after the dead one's lead lapses).
        let tasks = try await second.eventually("all completed", timeout: 45) { () -> [String: [String: Any]]? in
            let tasks = try await Self.tasks(second)
            return tasks.values.allSatisfy { $0["state"] as? String == "completed" } ? tasks : nil
        }
        #expect(tasks.count == 3 && tasks.values.allSatisfy { $0["attempts_started"] as? Int == 1 }, "no attempt was offered twice")
    }

    @Test(arguments: TestStateBackend.allCases)
    func theEdgesSchemathesisFoundStayFixed(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 1)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        // HEAD of the event stream holds no stream slot (there are 64).
        for _ in 0..<70 { #expect(try await daemon.request(.HEAD, "/api/v1/events").status == 200) }
        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events")
        #expect(stream.status == 200, "a stream still opens after 70 HEADs")
        stream.close()
        // A body over 1 MiB is 413, not 500.
        let big = "{\"worker\":\"w\",\"pad\":\"" + String(repeating: "x", count: 1 << 20) + "\"}"
        let refused = try await daemon.request(.POST, "/api/v1/pools/jobs/claim", token: Self.token, body: big)
        #expect(refused.status == 413, "\(refused.body.prefix(200))")
        // Path parameters are percent-decoded everywhere.
        let missing = try await daemon.get("/api/v1/requests/req%2Dnope")
        #expect(missing.status == 404 && missing.body.contains("no request req-nope"), "\(missing.body)")
        let encoded = try await Self.post(daemon, "/api/v1/pools/j%6Fbs/claim", ["worker": "w"])
        #expect(encoded.status == 200, "\(encoded.body)")
    }

    @Test(arguments: TestStateBackend.allCases)
    func concurrentClaimsWithOneKeyLeaseOneTask(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 10)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("offered") { try await Self.tasks(daemon).count == 10 ? true : nil }
        let answers = try await withThrowingTaskGroup(of: DaemonProcess.Reply.self) { group in
            for _ in 0..<16 {
                group.addTask { try await Self.post(daemon, "/api/v1/pools/jobs/claim", ["worker": "w", "leaseSeconds": 60], key: "same") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.status))")
        #expect(Set(answers.map(\.body)).count == 1, "every caller got the first answer")
        let leased = try await daemon.get("/api/v1/tasks?pool=jobs").array().filter { task in
            ((task["attempts"] as? [[String: Any]])?.first?["job_id"] as? String)?.hasPrefix("lease:") == true
        }
        #expect(leased.count == 1, "exactly one task was leased: \(leased.map { $0["key"] ?? "" })")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aClaimNamingAMachineOrbrecDoesNotHoldIsRefusedAndOfferedTasksSayClaimNow(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try Self.pool(harness, tasks: 1)
        let daemon = try await Self.start(harness)
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("offered") { try await Self.tasks(daemon).count == 1 ? true : nil }
        let next = (try await Self.tasks(daemon)["1"]?["next_actions"] as? [[String: Any]]) ?? []
        #expect(next.first?["action"] as? String == "claim" && next.first?["recommended"] as? Bool == true, "\(next)")
        let refused = try await Self.post(daemon, "/api/v1/pools/jobs/claim", ["worker": "w", "machine": "no-such-machine"])
        #expect(refused.status == 409 && refused.body.contains("machine_gone"), "\(refused.body)")
    }
}
