import Foundation
import NIOHTTP1
import OrbrecTestSupport
import Testing

/// Several orbrec processes on one PostgreSQL state: daemons electing one leader, a leader
/// killed mid-work and a follower taking over, and a CI apply beside a running daemon
/// (issue 17 items 3 and 4). PostgreSQL only: a state file has one daemon.
@Suite(.serialized) struct SharedStateTests {
    static let ttl = ["--leader-ttl", "3s"]

    /// The role a daemon's /readyz gives (`leader` or `follower`), nil while it has none.
    static func role(_ daemon: DaemonProcess) async -> String? {
        (try? await daemon.get("/readyz").object())?["role"] as? String
    }

    static func epoch(_ daemon: DaemonProcess) async throws -> Int? {
        let leader = try await daemon.get("/readyz").object()["leader"] as? [String: Any]
        return leader?["epoch"] as? Int
    }

    /// Waits until one of `daemons` leads, and returns it.
    static func leader(among daemons: [DaemonProcess], timeout: Double) async throws -> DaemonProcess {
        try await daemons[0].eventually("one of the daemons to lead", timeout: timeout) { () -> DaemonProcess? in
            for daemon in daemons where await role(daemon) == "leader" { return daemon }
            return nil
        }
    }

    @Test func threeDaemonsElectOneLeaderAndFollowersServeReadsButDoNotAct() async throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 2)
        let daemons = try (0..<3).map { _ in try h.startDaemon(Self.ttl) }
        defer { for daemon in daemons { _ = try? daemon.stop() } }
        let leader = try await Self.leader(among: daemons, timeout: 15)
        let followers = daemons.filter { $0 !== leader }
        for follower in followers {
            _ = try await follower.eventually("a follower knows the leader") { () -> Bool? in
                let ready = try await follower.get("/readyz").object()
                let known = (ready["leader"] as? [String: Any])?["api"] as? String
                return ready["role"] as? String == "follower" && known == leader.base ? true : nil
            }
            // A follower serves reads from the shared state, and refuses to reconcile.
            let machines = try await follower.eventually("the leader's machines through a follower", timeout: 30) { () -> [[String: Any]]? in
                let rows = try await follower.get("/api/v1/machines").array().filter { $0["state"] as? String == "running" }
                return rows.count == 2 ? rows : nil
            }
            #expect(machines.count == 2)
            let refused = try await follower.request(.POST, "/api/v1/reconcile")
            #expect(refused.status == 503 || refused.status == 401, "\(refused.body)")
            let metrics = try await follower.get("/metrics").body
            #expect(metrics.contains("orbrec_is_leader 0"))
        }
        #expect(try await leader.get("/metrics").body.contains("orbrec_is_leader 1"))
        // Only the leader acts: every action and pass lock in the journal is its own.
        let stateID = try h.stateID()
        #expect(h.machineProcesses(stateID: stateID).count == 2)
    }

    @Test func aFollowerTakesOverFromALeaderKilledMidProvisionWithoutDuplicateMachines() async throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 4)
        let stateID = try h.stateID()
        // The first leader spends 1.5 s after each machine it starts: killed inside the request.
        let first = try h.startDaemon(Self.ttl, environment: ["ORBREC_FAILPOINT_DELAY": "local.after-spawn:1500"])
        _ = try await first.eventually("the first daemon to lead") { await Self.role(first) == "leader" ? true : nil }
        let others = try (0..<2).map { _ in try h.startDaemon(Self.ttl) }
        defer { for daemon in others { _ = try? daemon.stop() } }
        for other in others {
            _ = try await other.eventually("a follower") { await Self.role(other) == "follower" ? true : nil }
        }
        _ = try await first.eventually("the leader inside its provision request", timeout: 20) { () -> Bool? in
            let count = h.machineProcesses(stateID: stateID).count
            return count >= 1 && count < 4 ? true : nil
        }
        first.process.kill9()
        let killedAt = Date()
        let next = try await Self.leader(among: others, timeout: 15)
        // Within the lead's time to live (3 s), plus a follower's campaign interval and slack.
        #expect(Date().timeIntervalSince(killedAt) < 6.5, "took over after \(Date().timeIntervalSince(killedAt)) s")
        #expect(try await Self.epoch(next) == 2)
        _ = try await next.eventually("four machines running", timeout: 40) { () -> Bool? in
            h.machineProcesses(stateID: stateID).count == 4 && (try? h.runningMachines().count) == 4 ? true : nil
        }
        // And no fifth comes later: the request in flight was recovered, its machines adopted.
        try await Task.sleep(for: .seconds(2))
        #expect(h.machineProcesses(stateID: stateID).count == 4)
        let rows = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "machines", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        let running = rows.filter { $0["state"] as? String == "running" }.compactMap { $0["id"] as? String }
        #expect(running.count == 4 && Set(running).count == 4, "\(rows)")
        #expect(Set(running) == Set(h.machineProcesses(stateID: stateID).keys))
    }

    @Test func aLeaderStoppedMidProvisionKeepsItsLeadUntilItHasFinishedThenHandsItOver() async throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 2)
        let stateID = try h.stateID()
        // Each machine takes 6 s after it starts: twice the lead's time to live (3 s).
        let first = try h.startDaemon(Self.ttl, environment: ["ORBREC_FAILPOINT_DELAY": "local.after-spawn:6000"])
        _ = try await first.eventually("the first daemon to lead") { await Self.role(first) == "leader" ? true : nil }
        let second = try h.startDaemon(Self.ttl)
        defer { _ = try? second.stop() }
        _ = try await first.eventually("the leader inside its provision request", timeout: 20) { () -> Bool? in
            h.machineProcesses(stateID: stateID).count >= 1 ? true : nil
        }
        first.signal(SIGTERM)
        // While it finishes the request (up to 6 s more, past its TTL), it keeps leading.
        let finishing = Date()
        while Date().timeIntervalSince(finishing) < 5 {
            #expect(await Self.role(second) == "follower", "the follower led while the old leader still acted")
            try await Task.sleep(for: .milliseconds(200))
        }
        let ended = try first.process.wait(timeout: 30)
        #expect(ended.status == 0, "a stopped leader exits 0: \(ended.stderr.suffix(2000))")
        #expect(first.log.contains("resigned the lead"))
        _ = try await second.eventually("the follower to lead at once", timeout: 3) { await Self.role(second) == "leader" ? true : nil }
        _ = try await second.eventually("two machines", timeout: 30) { () -> Bool? in
            h.machineProcesses(stateID: stateID).count == 2 && (try? h.runningMachines().count) == 2 ? true : nil
        }
        try await Task.sleep(for: .seconds(1))
        #expect(h.machineProcesses(stateID: stateID).count == 2, "no machine was made twice")
    }

    @Test func aFollowerTakesOverFromALeaderKilledMidPoolAndNoAttemptRunsTwiceOrIsLost() async throws {
        let h = try Harness(backend: .postgres)
        let runs = h.directory + "/runs"
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        // Each attempt appends its number to its task's file: an attempt run twice shows twice.
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 24}
            command: ["sh", "-c", "echo ${attempt} >> \(runs)/${item}; sleep 0.3"]
            retry: {maxAttempts: 3, initialBackoff: 100ms, maxBackoff: 200ms}
            """)
        let first = try h.startDaemon(Self.ttl)
        _ = try await first.eventually("the first daemon to lead") { await Self.role(first) == "leader" ? true : nil }
        let second = try h.startDaemon(Self.ttl)
        defer {
            _ = try? second.stop()
            h.killTasks()
        }
        _ = try await first.eventually("some tasks done", timeout: 30) { () -> Bool? in
            let done = try h.tasks("sims").filter { $0["state"] as? String == "completed" }.count
            return done >= 4 && done < 20 ? true : nil
        }
        first.process.kill9()
        _ = try await second.eventually("the follower to lead", timeout: 10) { await Self.role(second) == "leader" ? true : nil }
        let tasks = try await second.eventually("every task completed", timeout: 60) { () -> [[String: Any]]? in
            let rows = try h.tasks("sims")
            return rows.count == 24 && rows.allSatisfy({ $0["state"] as? String == "completed" }) ? rows : nil
        }
        for task in tasks {
            let key = try #require(task["key"] as? String)
            let attempts = attemptRows(task)
            // Nothing left open, and each attempt ran at most once.
            #expect(attempts.allSatisfy { ["ended", "cancelled"].contains($0["state"] as? String ?? "") }, "\(key): \(attempts)")
            let ran = ((try? String(contentsOfFile: runs + "/" + key, encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
            #expect(Set(ran).count == ran.count, "\(key) ran an attempt twice: \(ran)")
            #expect(ran.count <= attempts.count, "\(key) ran attempts the journal does not know: \(ran) vs \(attempts.count)")
            #expect(!ran.isEmpty, "\(key) never ran")
        }
    }

    @Test func anApplyFromAnotherDirectoryTakesTheLockBetweenTheDaemonsPassesAndSavedPlansStayPerResource() async throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 1)
        try h.write("batch.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: batch}
            spec: {template: sleeper, count: 1}
            """)
        let daemon = try h.startDaemon(["--observe-interval", "1s"] + Self.ttl)
        defer { _ = try? daemon.stop() }
        _ = try await daemon.eventually("two machines", timeout: 30) { (try? h.runningMachines().count) == 2 ? true : nil }
        // CI: a checkout of the same configuration elsewhere, on the same state.
        let ci = h.directory + "/ci-checkout"
        try FileManager.default.copyItem(atPath: h.config, toPath: ci)
        func inCI(_ arguments: String...) throws -> Harness.Result {
            try h.run(arguments + ["-c", ci, "--state", h.state])
        }
        let unchanged = try inCI("plan", "--detailed-exitcode")
        #expect(unchanged.status == 0, "the CI checkout sees the daemon's state: \(unchanged.stdout) \(unchanged.stderr)")
        // A saved plan for Fleet/workers only, made in CI.
        try String(contentsOfFile: h.config + "/workers.yaml", encoding: .utf8).replacingOccurrences(of: "count: 1", with: "count: 2")
            .write(toFile: ci + "/workers.yaml", atomically: true, encoding: .utf8)
        #expect(try inCI("plan", "--out", h.directory + "/workers.json").status == 0)
        // Meanwhile the daemon changes Fleet/batch (its own directory says 2).
        try h.write("batch.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: batch}
            spec: {template: sleeper, count: 2}
            """)
        _ = try await daemon.eventually("batch scaled by the daemon", timeout: 30) { () -> Bool? in
            (try? h.runningMachines().filter { $0.hasPrefix("batch-") }.count) == 2 ? true : nil
        }
        // The saved plan touched only Fleet/workers: it still applies, taking the lock between passes.
        let applied = try inCI("apply", h.directory + "/workers.json", "--lock-timeout", "30s")
        #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
        // A plan for Fleet/batch saved before the daemon changes it again is stale.
        try String(contentsOfFile: h.config + "/batch.yaml", encoding: .utf8).replacingOccurrences(of: "count: 2", with: "count: 3")
            .write(toFile: ci + "/batch.yaml", atomically: true, encoding: .utf8)
        #expect(try inCI("plan", "--out", h.directory + "/batch.json").status == 0)
        try h.writeFleet(count: 2)
        try h.write("batch.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: batch}
            spec: {template: sleeper, count: 1}
            """)
        _ = try await daemon.eventually("batch scaled down by the daemon", timeout: 30) { () -> Bool? in
            (try? h.runningMachines().filter { $0.hasPrefix("batch-") }.count) == 1 ? true : nil
        }
        let stale = try inCI("apply", h.directory + "/batch.json", "--lock-timeout", "30s")
        #expect(stale.status == 4, "\(stale.stdout)\n\(stale.stderr)")
        #expect(stale.stderr.contains("stale: Fleet/batch changed"), "\(stale.stderr)")
        // The lock was taken and given back by CI and the daemon in turn: both appear in the journal.
        let history = try h.orbrec("events", "-o", "json").stdout
        #expect(!history.isEmpty)
    }
}
