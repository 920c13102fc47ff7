import AsyncHTTPClient
import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// `orbrec run` as a user runs it: real files saved in the configuration directory, real
/// machine processes, the API over real HTTP, real signals.
@Suite("Daemon", .serialized)
struct DaemonTests {
    static let token = "0123456789abcdef0123456789abcdef"

    @Test("a saved file becomes a journaled action, on the API and the event stream; an invalid one is reported and ignored", arguments: TestStateBackend.allCases)
    func fileSaveReachesTheJournalAndTheStream(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 1)
        let daemon = try harness.startDaemon()
        defer { _ = try? daemon.stop() }

        _ = try await daemon.eventually("ready") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await daemon.eventually("the first machine") {
            try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count == 1 ? true : nil
        }
        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events")
        #expect(stream.status == 200)
        let before = Set(try await daemon.actions().compactMap { $0["id"] as? String })

        // An editor's save: a temporary file renamed over the fleet's file.
        try harness.writeFleet(count: 3)
        let action = try await daemon.eventually("the scale-up action") {
            try await daemon.actions().first { !before.contains($0["id"] as? String ?? "") && $0["verb"] as? String == "provision" }
        }
        #expect(action["resource"] as? String == "Fleet/workers")
        #expect((action["reason"] as? String ?? "").contains("scale-up"))
        let actionID = try #require(action["id"] as? String)
        let planned = try await daemon.eventually("the action on the event stream") {
            stream.received.first { $0.data["subject"] == "action/\(actionID)" && $0.data["to"] == "planned" }
        }
        #expect(planned.kind == "action")
        _ = try await daemon.eventually("3 running machines") {
            try await daemon.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count == 3 ? true : nil
        }
        let stateID = try harness.stateID()
        let machines = harness.machineProcesses(stateID: stateID)
        #expect(machines.count == 3)
        // A machine inherits nothing of the daemon's (its listening socket would outlive it).
        for pid in machines.values {
            let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").sorted()
            #expect(open == ["0", "1", "2"], "machine \(pid) holds descriptors \(open)")
        }

        // The request the action made, by id; fleets, resources, tasks; unknown ids are JSON 404s.
        let succeeded = try await daemon.eventually("the action to succeed") {
            try await daemon.actions().first { $0["id"] as? String == actionID && $0["state"] as? String == "succeeded" }
        }
        let requestID = try #require(succeeded["request"] as? String)
        let request = try await daemon.get("/api/v1/requests/\(requestID)")
        #expect(request.status == 200)
        #expect(try request.object()["status"] as? String == "complete")
        #expect(try request.object()["fulfilled"] as? Int == 2)
        let missing = try await daemon.get("/api/v1/requests/req-nope")
        #expect(missing.status == 404)
        #expect((try missing.object()["error"] as? [String: Any])?["code"] as? String == "not-found")
        #expect(try await daemon.get("/api/v1/nothing").status == 404)
        let fleets = try await daemon.eventually("the fleet converged") {
            try await daemon.get("/api/v1/fleets").array().first { $0["name"] as? String == "workers" && $0["sync"] as? String == "Synced" }
        }
        #expect((fleets["machines"] as? [String: Any])?["running"] as? Int == 3)
        let resources = try await daemon.get("/api/v1/resources").object()
        #expect((resources["resources"] as? [[String: Any]])?.contains { $0["resource"] as? String == "Fleet/workers" } == true)
        #expect(try await daemon.get("/api/v1/tasks").array().isEmpty)

        // The CLI reads and applies while the daemon runs.
        let status = try harness.orbrec("status", "--json")
        #expect(status.status == 0, "\(status.stderr)")
        let apply = try harness.orbrec("apply", "--auto-approve", "--lock-timeout", "30s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

        // An invalid file: reported with file:line:col, the last valid configuration stays.
        try harness.write("workers.yaml", "apiVersion: orbrec/v1\nkind: Fleet\nmetadata: {name: workers}\nspec:\n  template: sleeper\n  count: many\n")
        let unready = try await daemon.eventually("/readyz to report the error") {
            let reply = try await daemon.get("/readyz")
            return reply.status == 503 ? reply : nil
        }
        #expect(unready.body.contains("workers.yaml:6:"), "\(unready.body)")
        let invalid = try await daemon.eventually("the invalid-configuration event") {
            stream.received.first { $0.kind == "configuration" && $0.data["to"] == "invalid" }
        }
        #expect(invalid.data["cause"]?.contains("workers.yaml:6:") == true)
        #expect(daemon.log.contains("configuration invalid"))
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.machineProcesses(stateID: stateID).count == 3)

        // Fixed again: ready, and acted on.
        try harness.writeFleet(count: 2)
        _ = try await daemon.eventually("ready again") { try await daemon.get("/readyz").status == 200 ? true : nil }
        _ = try await daemon.eventually("scaled in to 2") {
            harness.machineProcesses(stateID: stateID).count == 2 ? true : nil
        }

        // Resuming with Last-Event-ID gets exactly what followed, in order.
        let seen = stream.received
        try #require(seen.count >= 3)
        let resumed = try await EventStreamReader.open(daemon.base + "/api/v1/events", lastEventID: seen[0].id)
        let replay = try await daemon.eventually("the replay") { resumed.received.count >= seen.count - 1 ? resumed.received : nil }
        #expect(Array(replay.prefix(seen.count - 1)) == Array(seen.dropFirst()))
        #expect(replay.map(\.id) == replay.map(\.id).sorted())
        resumed.close()
        stream.close()

        let metrics = try await daemon.get("/metrics")
        #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        for needle in ["orbrec_reconcile_passes_total{outcome=\"succeeded\"}", "orbrec_reconcile_duration_seconds_bucket{le=\"+Inf\"}",
                       "orbrec_actions_total{verb=\"provision\",outcome=\"succeeded\"}", "orbrec_machines{state=\"running\"} 2",
                       "orbrec_queue_depth", "orbrec_watcher_events_total{kind=", "orbrec_configuration_loads_total{outcome=\"invalid\"}"] {
            #expect(metrics.body.contains(needle), "missing \(needle)")
        }
        let result = try daemon.stop()
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    }

    @Test("a machine killed outside orbrec is replaced with no file change", arguments: TestStateBackend.allCases)
    func killedMachineIsReplaced(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 2)
        let daemon = try harness.startDaemon(["--observe-interval", "300ms"])
        defer { _ = try? daemon.stop() }
        let stateID = try await daemon.eventually("2 machines") { () -> String? in
            let id = try harness.stateID()
            return harness.machineProcesses(stateID: id).count == 2 ? id : nil
        }
        let victims = harness.machineProcesses(stateID: stateID)
        let (victim, pid) = try #require(victims.first)
        kill(-pid, SIGKILL)
        let replacement = try await daemon.eventually("the replacement") {
            try await daemon.actions().first { $0["verb"] as? String == "replace" && ($0["reason"] as? String ?? "").contains("machine-lost") }
        }
        #expect((replacement["detail"] as? String ?? "").contains(victim) || (replacement["reason"] as? String ?? "").contains("machine-lost"))
        let now = try await daemon.eventually("2 machines again") { () -> [String: Int32]? in
            let found = harness.machineProcesses(stateID: stateID)
            return found.count == 2 && found[victim] == nil ? found : nil
        }
        #expect(now.count == 2)
        let result = try daemon.stop()
        #expect(result.status == 0)
    }

    @Test("tokens: every POST needs one, beyond loopback everything but health does, and no token means no public address", arguments: TestStateBackend.allCases)
    func tokenRules(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 0)

        let open = try harness.startDaemon()
        #expect(try await open.get("/api/v1/actions").status == 200)
        let refused = try await open.request(.POST, "/api/v1/reconcile")
        #expect(refused.status == 401)
        #expect((try refused.object()["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        #expect(try open.stop().status == 0)

        let guarded = try harness.startDaemon(environment: ["ORBREC_TOKEN": Self.token])
        #expect(try await guarded.get("/api/v1/actions").status == 200)
        #expect(try await guarded.request(.POST, "/api/v1/reconcile").status == 401)
        #expect(try await guarded.request(.POST, "/api/v1/reconcile", token: Self.token + "x").status == 401)
        #expect(try await guarded.request(.POST, "/api/v1/reconcile", token: String(Self.token.dropLast())).status == 401)
        _ = try await guarded.eventually("ready") { try await guarded.get("/readyz").status == 200 ? true : nil }
        let before = try await guarded.get("/metrics").body
        #expect(try await guarded.request(.POST, "/api/v1/reconcile", token: Self.token).status == 202)
        _ = try await guarded.eventually("a pass for the POST") {
            try await guarded.get("/metrics").body != before ? true : nil
        }
        // HEAD works where GET does; a request addressed to another name is refused (DNS rebinding).
        #expect(try await guarded.request(.HEAD, "/healthz").status == 200)
        let rebound = try await guarded.request(.GET, "/api/v1/actions", headers: [("Host", "attacker.example")])
        #expect(rebound.status == 421, "\(rebound.status) \(rebound.body)")
        #expect(try await guarded.request(.GET, "/api/v1/actions", headers: [("Host", "localhost:\(guarded.port)")]).status == 200)
        #expect(!guarded.log.contains(Self.token), "the token must never be logged")
        #expect(try guarded.stop().status == 0)

        let exposed = try harness.run(["run", "-c", harness.config, "--state", harness.state, "--listen", "0.0.0.0:0"])
        #expect(exposed.status == 1)
        #expect(exposed.stderr.contains("refusing to listen on 0.0.0.0:0 without a token"), "\(exposed.stderr)")

        let tokenFile = harness.directory + "/token"
        try (Self.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let wide = try harness.startDaemon(["--token-file", tokenFile], listen: "0.0.0.0:0")
        #expect(try await wide.get("/healthz").status == 200)
        let ready = try await wide.eventually("ready") { () -> DaemonProcess.Reply? in
            let reply = try await wide.get("/readyz")
            return reply.status == 200 ? reply : nil
        }
        #expect(!ready.body.contains("revision"), "no details without the token beyond loopback: \(ready.body)")
        #expect(try await wide.get("/api/v1/actions").status == 401)
        #expect(try await wide.get("/metrics").status == 401)
        #expect(try await wide.get("/api/v1/actions", token: Self.token).status == 200)
        #expect(try await wide.get("/api/v1/events", token: "wrong-token-wrong-token").status == 401)
        #expect(try wide.stop().status == 0)
    }

    @Test("SIGTERM finishes the action in flight, starts no other, and leaves nothing issuing; a second signal exits at once", arguments: TestStateBackend.allCases)
    func sigtermDuringAnApply(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 0)
        for index in 1...5 {
            try harness.write("more\(index).yaml", "apiVersion: orbrec/v1\nkind: Fleet\nmetadata: {name: f\(index)}\nspec: {template: sleeper, count: 1}\n")
        }
        let slow = ["ORBREC_FAILPOINT_DELAY": "action.after-issuing:3000"]
        let daemon = try harness.startDaemon(["--parallelism", "1"], environment: slow)
        _ = try await daemon.eventually("an action in flight", timeout: 20) { daemon.log.contains("msg=\"action started\"") ? true : nil }
        let result = try daemon.stop()
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        #expect(result.stderr.contains("stopping: finishing the actions in flight"))
        let history = try harness.json("{\"a\":" + harness.orbrec("get", "actions", "-o", "json").stdout + "}")["a"] as? [[String: Any]] ?? []
        let states = history.map { $0["state"] as? String ?? "" }
        #expect(!states.contains("issuing") && !states.contains("planned"), "\(states)")
        #expect(states.filter { $0 == "succeeded" }.count >= 1)
        #expect(states.contains("cancelled"), "the actions not started are cancelled: \(states)")
        let stateID = try harness.stateID()
        #expect(harness.machineProcesses(stateID: stateID).count == states.filter { $0 == "succeeded" }.count)

        // Twice: the second signal does not wait for the action in flight.
        let again = try harness.startDaemon(["--parallelism", "1"], environment: slow)
        _ = try await again.eventually("an action in flight", timeout: 20) {
            again.log.components(separatedBy: "msg=\"action started\"").count > 1 ? true : nil
        }
        again.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(100))
        let started = Date()
        again.signal(SIGTERM)
        let killed = try again.process.wait(timeout: 10)
        #expect(killed.status == 128 + SIGTERM)
        #expect(Date().timeIntervalSince(started) < 2.0, "the second signal must not wait for the 3 s action")
        #expect(killed.stderr.contains("second signal"))

        // Whatever was left issuing is recovered by the next run: exactly one machine per fleet.
        let apply = try harness.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let machines = harness.machineProcesses(stateID: stateID)
        #expect(machines.count == 5)
        #expect(Set(machines.keys.map { String($0.split(separator: "-").first ?? "") }) == ["f1", "f2", "f3", "f4", "f5"])
    }

    @Test("a task pool runs to completion under the daemon, retries included, with its tasks on the API and the stream; --watch=poll picks up a new pool", arguments: TestStateBackend.allCases)
    func taskPoolUnderTheDaemon(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writePool(slots: 2, spec: """
            range: {from: 1, to: 4}
            command: ["sh", "-c", "test -e ${item}.once || { touch ${item}.once; test ${item} -ne 3 || exit 3; }; sleep 0.2"]
            workdir: \(harness.directory)
            parallelism: 2
            retry: {maxAttempts: 3, initialBackoff: 100ms, maxBackoff: 200ms}
            """)
        let daemon = try harness.startDaemon(["--watch", "poll", "--poll-interval", "100ms", "--task-interval", "200ms"])
        let stream = try await EventStreamReader.open(daemon.base + "/api/v1/events?after=0")
        let tasks = try await daemon.eventually("4 completed tasks", timeout: 30) { () -> [[String: Any]]? in
            let rows = try await daemon.get("/api/v1/tasks?pool=sims").array()
            return rows.count == 4 && rows.allSatisfy { $0["state"] as? String == "completed" } ? rows : nil
        }
        let third = try #require(tasks.first { $0["key"] as? String == "3" })
        #expect(third["attempts_started"] as? Int == 2, "task 3 failed once and was retried: \(third)")
        _ = try await daemon.eventually("task events on the stream") {
            stream.received.contains { $0.kind == "task" && $0.data["to"] == "completed" } ? true : nil
        }
        // The tasks are journaled as each attempt ends; the pool's status follows with the pass that
        // the pool's last end calls for.
        let pool = try await daemon.eventually("the pool reported synced", timeout: 5) { () -> [String: Any]? in
            let resources = try await daemon.get("/api/v1/resources").object()
            let pool = (resources["resources"] as? [[String: Any]])?.first { $0["resource"] as? String == "TaskPool/sims" }
            return pool?["sync"] as? String == "Synced" ? pool : nil
        }
        #expect(pool["sync"] as? String == "Synced", "\(pool)")

        // Polling, not inotify: a new pool in a new directory is picked up.
        try harness.write("more/extra.yaml", """
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: extra}
            spec: {scheduler: cpu, items: [a, b], command: ["true"]}
            """)
        _ = try await daemon.eventually("the new pool's tasks", timeout: 30) { () -> Bool? in
            let rows = try await daemon.get("/api/v1/tasks?pool=extra").array()
            return rows.count == 2 && rows.allSatisfy { $0["state"] as? String == "completed" } ? true : nil
        }
        #expect(daemon.log.contains("watch=poll"))
        stream.close()
        #expect(try daemon.stop().status == 0)
    }

    /// A state file takes one daemon; a PostgreSQL state, shared by several hosts, takes several,
    /// which take turns through the state lock: here both serve, and one fleet is provisioned once.
    @Test("one daemon per state file, several on a PostgreSQL state; a daemon that cannot listen exits 1 having changed nothing",
          arguments: TestStateBackend.allCases)
    func oneDaemonPerStateAndNoActingWithoutTheAPI(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.writeFleet(count: 0)
        let first = try harness.startDaemon()
        switch backend {
        case .sqlite:
            let second = try harness.run(["run", "-c", harness.config, "--state", harness.state, "--listen", "127.0.0.1:0"], timeout: 30)
            #expect(second.status == 1)
            #expect(second.stderr.contains("another orbrec run (pid \(first.process.pid)) is already running"), "\(second.stderr)")
        case .postgres:
            let second = try harness.startDaemon()
            _ = try await second.eventually("the second daemon ready") { try await second.get("/readyz").status == 200 ? true : nil }
            try harness.writeFleet(count: 2)
            let stateID = try harness.stateID()
            _ = try await first.eventually("2 machines", timeout: 30) { harness.machineProcesses(stateID: stateID).count == 2 ? true : nil }
            try await Task.sleep(for: .seconds(1))
            #expect(harness.machineProcesses(stateID: stateID).count == 2, "two daemons provisioned the fleet once")
            #expect(try await second.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }.count == 2,
                    "both daemons see one state")
            #expect(try second.stop().status == 0)
            try harness.writeFleet(count: 0)
            _ = try await first.eventually("the fleet returned", timeout: 30) { harness.machineProcesses(stateID: stateID).isEmpty ? true : nil }
        }

        let other = try Harness(backend: backend)
        try other.writeFleet(count: 2)
        let blocked = try other.run(["run", "-c", other.config, "--state", other.state, "--listen", "127.0.0.1:\(first.port)"], timeout: 30)
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("cannot listen on 127.0.0.1:\(first.port)"), "\(blocked.stderr)")
        let actions = try other.orbrec("get", "actions", "-o", "json")
        let rows = try JSONSerialization.jsonObject(with: Data(actions.stdout.utf8)) as? [Any]
        #expect(rows?.isEmpty == true, "nothing may be journaled: \(actions.stdout)")
        #expect(other.machineProcesses(stateID: try other.stateID()).isEmpty)
        #expect(try first.stop().status == 0)
    }
}
