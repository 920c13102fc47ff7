import Foundation
import OrbrecTestSupport
import Testing

/// The daemon moves pools on attempt ends between its passes; it holds the state lock only
/// while steps follow each other closely, and a CLI command that acts in a quiet moment is
/// seen before the next step starts anything.
@Suite struct DaemonFlowTests {
    @Test(arguments: TestStateBackend.allCases)
    func aCancelFromTheCLIWhileAPoolFlowsIsRespectedByTheNextSteps(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        defer { harness.killTasks() }
        try harness.writePool(slots: 2, spec: """
            range: {from: 1, to: 40}
            command: ["sleep", "0.25"]
            """)
        let daemon = try harness.startDaemon(["--task-interval", "30s", "--observe-interval", "60s"])
        _ = try await daemon.eventually("a few tasks done", timeout: 30) { () -> Bool? in
            let rows = try await daemon.get("/api/v1/tasks?pool=sims").array()
            return rows.filter { $0["state"] as? String == "completed" }.count >= 4 ? true : nil
        }
        // Tasks that have not started yet, cancelled in a quiet moment between two steps (the
        // daemon lets the lock go 20 ms after an end); the others run on.
        let keys = (21...40).map(String.init)
        let cancel = try harness.orbrec(["tasks", "cancel", "sims"] + keys + ["--lock-timeout", "20s"])
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        _ = try await daemon.eventually("the other tasks done", timeout: 30) { () -> Bool? in
            let rows = try await daemon.get("/api/v1/tasks?pool=sims").array()
            return rows.filter { $0["state"] as? String == "completed" }.count >= 20 ? true : nil
        }
        try await Task.sleep(for: .seconds(0.5))
        let tasks = try harness.tasksByKey()
        for key in keys {
            #expect(tasks[key]?["state"] as? String == "cancelled", "task \(key): \(String(describing: tasks[key]))")
            #expect(attemptRows(tasks[key]).isEmpty, "task \(key) was cancelled before it started and never ran")
        }
        for key in (1...20).map(String.init) {
            #expect(tasks[key]?["state"] as? String == "completed", "task \(key)")
        }
        _ = try daemon.stop()
    }

    @Test(arguments: TestStateBackend.allCases)
    func eachEndStartsTheNextTaskWithoutAPass(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        defer { harness.killTasks() }
        try harness.writePool(slots: 2, spec: """
            range: {from: 1, to: 200}
            command: ["true"]
            """)
        // Passes are far apart: only attempt ends can move this pool along.
        let daemon = try harness.startDaemon(["--task-interval", "60s", "--observe-interval", "60s"])
        let started = Date()
        _ = try await daemon.eventually("200 tasks completed", timeout: 30) { () -> Bool? in
            let rows = try await daemon.get("/api/v1/tasks?pool=sims").array()
            return rows.count == 200 && rows.allSatisfy { $0["state"] as? String == "completed" } ? true : nil
        }
        #expect(Date().timeIntervalSince(started) < 30)
        let metrics = try await daemon.get("/metrics").body
        let passes = metrics.split(separator: "\n").filter { $0.hasPrefix("orbrec_reconcile_passes_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        #expect(passes > 0 && passes < 10, "the pool moved on events, not passes: \(passes) passes")
        _ = try daemon.stop()
    }

    /// The supervisor killed while its attempts run: no end will be announced, so its orbrec
    /// asks for a look at once (not at the next periodic one): the attempts are found lost,
    /// their orphaned commands stopped, and the tasks retried (infra, not counted).
    @Test(arguments: TestStateBackend.allCases)
    func aKilledSupervisorIsNoticedAtOnceAndItsAttemptsRetried(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        defer { harness.killTasks() }
        try harness.writePool(slots: 2, spec: """
            items: [a, b]
            command: ["sh", "-c", "echo ${item} ${attempt} >> \(harness.directory)/runs.log; test ${attempt} -gt 1 || sleep 30"]
            retry: {maxAttempts: 2, initialBackoff: 100ms, maxBackoff: 200ms}
            """)
        let daemon = try harness.startDaemon(["--task-interval", "60s", "--observe-interval", "60s"])
        _ = try await daemon.eventually("both running", timeout: 20) { harness.runningCommands(pool: "sims").count == 2 ? true : nil }
        let supervisor = try #require(harness.supervisors().first)
        kill(supervisor, SIGKILL)
        _ = try await daemon.eventually("both retried and completed", timeout: 20) { () -> Bool? in
            let rows = try await daemon.get("/api/v1/tasks?pool=sims").array()
            return rows.count == 2 && rows.allSatisfy { $0["state"] as? String == "completed" } ? true : nil
        }
        let tasks = try harness.tasksByKey()
        for key in ["a", "b"] {
            let rows = attemptRows(tasks[key])
            #expect(rows.first?["failure_class"] as? String == "infra", "task \(key): \(rows)")
            #expect(TaskPoolTests.int(tasks[key]?["attempts_consumed"]) == 0)
        }
        #expect(harness.runningCommands(pool: "sims").isEmpty, "the orphaned first attempts were stopped")
        _ = try daemon.stop()
    }
}
