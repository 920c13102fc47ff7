import Foundation
import OrbrecTestSupport
import Testing

/// Task pools on the local scheduler, end to end: completion, retries and dead letters,
/// parallelism and slots, walltime, cancel, removal from the configuration, and SIGKILL of
/// orbrec while attempts run.
@Suite struct TaskPoolTests {
    static let retry = "retry: {maxAttempts: 2, initialBackoff: 200ms, multiplier: 2, maxBackoff: 1s, jitter: 0.1}"

    /// The example pool: 6 tasks, parallelism 2; item 4 exits 3 unless `fixed`.
    static func simsSpec(fixed: Bool = false) -> String {
        let fail = fixed ? "" : "test ${item} -ne 4 || exit 3; "
        return """
            range: {from: 1, to: 6}
            command: ["sh", "-c", "echo task ${item} try ${attempt}; \(fail)sleep 0.3"]
            parallelism: 2
            \(retry)
            """
    }

    static func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
    static func int64(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

    /// Every ended attempt of a task has its times, its job and its outcome; its start is not after its end.
    func expectWellFormed(_ task: [String: Any], _ context: String) {
        for row in attemptRows(task) where row["state"] as? String == "ended" {
            let label = "\(context) \(task["key"] ?? "?")#\(row["attempt"] ?? "?")"
            let started = Self.int64(row["started_at"]), ended = Self.int64(row["ended_at"])
            #expect(ended != nil, "\(label): no ended_at")
            // An attempt lost before its scheduler started it has neither job nor start.
            if row["failure_class"] as? String == "infra" && started == nil { continue }
            #expect(row["job_id"] as? String != nil, "\(label): no job id")
            #expect(started != nil, "\(label): no started_at")
            if let started, let ended {
                #expect(started <= ended, "\(label): started_at \(started) is after ended_at \(ended) (by \(started - ended) ms)")
            }
            if row["failure_class"] as? String != "infra" {
                #expect(Self.int(row["exit_code"]) != nil || Self.int(row["signal"]) != nil, "\(label): neither exit code nor signal")
            }
        }
    }

    // MARK: 1

    @Test(arguments: TestStateBackend.allCases)
    func aPoolCompletesAndCompletedTasksNeverRunAgain(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 3, spec: Self.simsSpec(fixed: true))
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("TaskPool/sims: done 6/6"), "\(apply.stdout)")

        let tasks = try h.tasksByKey()
        #expect(tasks.keys.sorted() == ["1", "2", "3", "4", "5", "6"])
        for (key, task) in tasks {
            #expect(task["state"] as? String == "completed", "task \(key): \(task)")
            #expect(Self.int(task["attempts_started"]) == 1)
            #expect(Self.int(task["attempts_consumed"]) == 0)
            let attempts = attemptRows(task)
            #expect(attempts.count == 1, "task \(key): \(attempts.count) attempt rows")
            #expect(Self.int(attempts.first?["attempt"]) == 1)
            #expect(attempts.first?["state"] as? String == "ended")
            #expect(Self.int(attempts.first?["exit_code"]) == 0, "task \(key): \(attempts)")
            #expect(attempts.first?["failure_class"] == nil || attempts.first?["failure_class"] is NSNull)
            expectWellFormed(task, "completed pool")
            #expect(h.resultFiles(key: key) == [1])
        }

        let logs = try h.orbrec("tasks", "logs", "sims", "3")
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("task 3 try 1"), "\(logs.stdout)")

        let status = try h.json(try h.orbrec("status", "--json").stdout)
        let pool = (status["resources"] as? [[String: Any]])?.first { $0["resource"] as? String == "TaskPool/sims" }
        #expect(pool?["sync"] as? String == "Synced", "\(String(describing: pool))")
        #expect(pool?["health"] as? String == "Healthy", "\(String(describing: pool))")

        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "a finished pool plans nothing")
        let submits = try h.history().filter { $0["verb"] as? String == "submit" }
        #expect((1...6).contains(submits.count), "6 tasks at parallelism 2: each end starts the next, \(submits.count) submits")
        #expect(submits.allSatisfy { $0["state"] as? String == "succeeded" })
        let again = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(again.status == 0, "\(again.stderr)")
        let after = try h.tasksByKey()
        #expect(after.values.allSatisfy { attemptRows($0).count == 1 && $0["state"] as? String == "completed" }, "completed tasks ran again")
        #expect((1...6).allSatisfy { h.resultFiles(key: "\($0)") == [1] })
        #expect(try h.history().filter { $0["verb"] as? String == "submit" }.count == submits.count, "a finished pool submits nothing more")
    }

    // MARK: 2

    @Test(arguments: TestStateBackend.allCases)
    func aFailingTaskIsRetriedAfterBackoffThenDeadLetteredThenRequeued(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 3, spec: Self.simsSpec())
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 1, "dead letters fail apply --wait: \(apply.status) \(apply.stderr)")
        #expect(apply.stderr.contains("1 task(s) dead-lettered"), "\(apply.stderr)")
        #expect(apply.stdout.contains("TaskPool/sims: done 5/6, running 0, retrying 0, dead 1"), "\(apply.stdout)")

        var tasks = try h.tasksByKey()
        let four = try #require(tasks["4"])
        #expect(four["state"] as? String == "dead_letter")
        #expect(Self.int(four["attempts_started"]) == 2)
        #expect(Self.int(four["attempts_consumed"]) == 2)
        #expect(four["last_result"] as? String == "exit=3")
        let attempts = attemptRows(four)
        #expect(attempts.compactMap { Self.int($0["attempt"]) } == [1, 2])
        for attempt in attempts {
            #expect(attempt["failure_class"] as? String == "app-error", "\(attempt)")
            #expect(Self.int(attempt["exit_code"]) == 3, "\(attempt)")
        }
        // The second attempt waited for its backoff (200 ms, jitter 10 %) after the first ended.
        if attempts.count == 2, let firstEnd = Self.int64(attempts[0]["ended_at"]), let secondStart = Self.int64(attempts[1]["started_at"]) {
            #expect(secondStart - firstEnd >= 180, "retried \(secondStart - firstEnd) ms after the failure")
        }
        expectWellFormed(four, "dead letter")
        for key in ["1", "2", "3", "5", "6"] {
            #expect(tasks[key]?["state"] as? String == "completed")
            #expect(attemptRows(tasks[key]).count == 1)
        }

        let first = try h.orbrec("tasks", "logs", "sims", "4", "--attempt", "1")
        #expect(first.status == 0 && first.stdout.contains("task 4 try 1"), "\(first.stdout) \(first.stderr)")
        #expect(try h.orbrec("tasks", "logs", "sims", "4").stdout.contains("task 4 try 2"))
        #expect(try h.orbrec("tasks", "logs", "sims", "4", "--attempt", "3").status == 1, "there is no attempt 3 yet")

        let history = try h.history()
        let retries = history.filter { $0["verb"] as? String == "retry" }
        #expect(retries.count == 1, "\(retries)")
        #expect((retries.first?["reason"] as? String)?.hasPrefix("task-failed exit=3 attempt=1/2") == true, "\(retries)")

        let status = try h.json(try h.orbrec("status", "--json").stdout)
        let pool = (status["resources"] as? [[String: Any]])?.first { $0["resource"] as? String == "TaskPool/sims" }
        #expect(pool?["health"] as? String == "Degraded", "\(String(describing: pool))")
        #expect((pool?["message"] as? String)?.contains("requeue sims") == true)

        let requeue = try h.orbrec("tasks", "requeue", "sims", "--all-dead-letter")
        #expect(requeue.status == 0, "\(requeue.stderr)")
        #expect(requeue.stdout.contains("Requeued 1 task(s)"))
        tasks = try h.tasksByKey()
        #expect(tasks["4"]?["state"] as? String == "pending")
        #expect(Self.int(tasks["4"]?["attempts_consumed"]) == 0)
        #expect(Self.int(tasks["4"]?["attempts_started"]) == 2, "requeue keeps the attempt numbers used")
        #expect(try h.orbrec("tasks", "requeue", "sims", "1").status == 1, "a completed task cannot be requeued")

        try h.writePool(slots: 3, spec: Self.simsSpec(fixed: true))
        let fixed = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(fixed.status == 0, "\(fixed.stdout)\n\(fixed.stderr)")
        tasks = try h.tasksByKey()
        #expect(tasks["4"]?["state"] as? String == "completed")
        #expect(attemptRows(tasks["4"]).compactMap { Self.int($0["attempt"]) } == [1, 2, 3], "attempt numbers are never reused")
        #expect(Self.int(attemptRows(tasks["4"]).last?["exit_code"]) == 0)
        #expect(Self.int(tasks["4"]?["attempts_consumed"]) == 0)
        #expect(try h.orbrec("tasks", "logs", "sims", "4").stdout.contains("task 4 try 3"))
        #expect(h.resultFiles(key: "4") == [1, 2, 3])
        for key in ["1", "2", "3", "5", "6"] {
            #expect(attemptRows(tasks[key]).count == 1, "task \(key) ran again after the config change")
        }
    }

    // MARK: 3

    @Test(arguments: TestStateBackend.allCases)
    func parallelismBoundsOnePoolAndSlotsBoundTheScheduler(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 3, spec: """
            range: {from: 1, to: 6}
            command: ["sleep", "0.4"]
            parallelism: 2
            """)
        let (apply, widest) = try h.runSampling("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(widest.count == 2, "parallelism 2: at most (and here exactly) 2 commands at once, saw \(widest.sorted())")
        let tasks = try h.tasks("sims")
        #expect(tasks.count == 6 && tasks.allSatisfy { $0["state"] as? String == "completed" })
        let intervals = tasks.flatMap(attemptRows).compactMap { row -> (Int64, Int64)? in
            guard let start = Self.int64(row["started_at"]), let end = Self.int64(row["ended_at"]), start <= end else { return nil }
            return (start, end)
        }
        #expect(intervals.count == 6)
        #expect(maxOverlap(intervals) <= 2, "attempt times overlap \(maxOverlap(intervals)) deep")

        // Two pools, each willing to run 4 at once, on a scheduler of 2 slots.
        let g = try Harness(backend: backend)
        defer { g.killTasks() }
        try g.writeScheduler("cpu", slots: 2)
        for name in ["alpha", "beta"] {
            try g.write("\(name).yaml", """
                apiVersion: orbrec/v1
                kind: TaskPool
                metadata: {name: \(name)}
                spec:
                  scheduler: cpu
                  range: {from: 1, to: 4}
                  command: ["sleep", "0.4"]
                  parallelism: 4
                """)
        }
        let (both, together) = try g.runSampling("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(both.status == 0, "\(both.stderr)")
        #expect(together.count == 2, "2 slots: at most (and here exactly) 2 commands at once, saw \(together.sorted())")
        let all = try g.tasks()
        #expect(all.count == 8 && all.allSatisfy { $0["state"] as? String == "completed" }, "\(all.map { "\($0["pool"] ?? "")/\($0["key"] ?? ""): \($0["state"] ?? "")" })")
    }

    // MARK: 4

    @Test(arguments: TestStateBackend.allCases)
    func walltimeStopsTheWholeGroupAndCountsAsTimeout(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            items: [long]
            command: ["sh", "-c", "sleep 30 & sleep 30"]
            resources: {walltime: 1s}
            retry: {maxAttempts: 1, initialBackoff: 100ms, maxBackoff: 200ms}
            """)
        let started = Date()
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        let took = Date().timeIntervalSince(started)
        #expect(apply.status == 1, "a timed-out task with maxAttempts 1 is dead-lettered: \(apply.stderr)")
        #expect(took < 8, "the walltime (1 s) and at most the 5 s grace, took \(took) s")
        let task = try #require(try h.tasksByKey()["long"])
        #expect(task["state"] as? String == "dead_letter")
        #expect(task["last_result"] as? String == "timeout")
        let attempts = attemptRows(task)
        #expect(attempts.count == 1)
        #expect(attempts.first?["failure_class"] as? String == "timeout", "\(attempts)")
        #expect(Self.int(attempts.first?["signal"]) == 15, "sh dies on TERM: \(attempts)")
        if let start = Self.int64(attempts.first?["started_at"]), let end = Self.int64(attempts.first?["ended_at"]) {
            #expect(end - start >= 900 && end - start < 3000, "ran \(end - start) ms for a 1 s walltime")
        }
        #expect(h.taskProcesses().isEmpty, "the attempt's whole group is gone: \(h.taskProcesses().map(\.commandLine))")
    }

    /// A command that ignores TERM is killed when the 5 s grace is over.
    @Test(arguments: TestStateBackend.allCases)
    func walltimeKillsACommandThatIgnoresTermAfterTheGrace(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            items: [stubborn]
            command: ["sh", "-c", "trap '' TERM; sleep 30"]
            resources: {walltime: 1s}
            retry: {maxAttempts: 1, initialBackoff: 100ms, maxBackoff: 200ms}
            """)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(apply.status == 1, "\(apply.stderr)")
        let task = try #require(try h.tasksByKey()["stubborn"])
        let attempt = attemptRows(task).first
        #expect(task["state"] as? String == "dead_letter")
        #expect(attempt?["failure_class"] as? String == "timeout", "\(String(describing: attempt))")
        #expect(Self.int(attempt?["signal"]) == 9, "killed after the grace: \(String(describing: attempt))")
        if let start = Self.int64(attempt?["started_at"]), let end = Self.int64(attempt?["ended_at"]) {
            #expect(end - start >= 5_500 && end - start < 8_000, "1 s walltime + 5 s grace, ran \(end - start) ms")
        }
        #expect(h.taskProcesses().isEmpty, "\(h.taskProcesses().map(\.commandLine))")
    }

    // MARK: 5

    @Test(arguments: TestStateBackend.allCases)
    func cancelStopsEveryAttemptAndRequeueRunsANewOne(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            range: {from: 1, to: 3}
            command: ["sleep", "30"]
            \(Self.retry)
            """)
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims").count == 3 }, "\(h.runningCommands())")
        #expect(try h.tasks("sims").allSatisfy { $0["state"] as? String == "running" })

        let cancel = try h.orbrec("tasks", "cancel", "sims")
        #expect(cancel.status == 0, "\(cancel.stdout) \(cancel.stderr)")
        #expect(cancel.stdout.contains("3 task(s) cancelled, 3 running attempt(s) stopped"), "\(cancel.stdout)")
        #expect(h.taskProcesses(pool: "sims").isEmpty, "no runner nor sleep left: \(h.taskProcesses().map(\.commandLine))")
        var tasks = try h.tasksByKey()
        for key in ["1", "2", "3"] {
            #expect(tasks[key]?["state"] as? String == "cancelled")
            #expect(Self.int(tasks[key]?["attempts_consumed"]) == 0, "a cancel consumes no attempt")
            #expect(h.resultFiles(key: key) == [1], "the runner wrote a cancelled result")
        }

        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "cancelled tasks are not resubmitted")
        let later = try h.orbrec("apply", "--auto-approve")
        #expect(later.status == 0)
        #expect(h.taskProcesses(pool: "sims").isEmpty)
        tasks = try h.tasksByKey()
        #expect(tasks.values.allSatisfy { $0["state"] as? String == "cancelled" && attemptRows($0).count == 1 })
        // The attempt rows say how the attempts ended.
        for key in ["1", "2", "3"] {
            let row = attemptRows(tasks[key]).first
            #expect(row?["state"] as? String == "cancelled", "task \(key)'s stopped attempt: \(String(describing: row))")
            #expect(row?["ended_at"] != nil && !(row?["ended_at"] is NSNull), "task \(key)'s stopped attempt has no end: \(String(describing: row))")
        }
        #expect(try h.history().filter { $0["verb"] as? String == "submit" }.count == 1)

        let requeue = try h.orbrec("tasks", "requeue", "sims", "1")
        #expect(requeue.status == 0, "\(requeue.stderr)")
        #expect(try h.tasksByKey()["1"]?["state"] as? String == "pending")
        let again = try h.orbrec("apply", "--auto-approve")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims") == ["sims/1#2"] }, "\(h.runningCommands())")
        tasks = try h.tasksByKey()
        #expect(tasks["1"]?["state"] as? String == "running")
        #expect(attemptRows(tasks["1"]).compactMap { Self.int($0["attempt"]) } == [1, 2])
        #expect(tasks["2"]?["state"] as? String == "cancelled" && tasks["3"]?["state"] as? String == "cancelled")
        #expect(try h.orbrec("tasks", "cancel", "sims", "1").status == 0)
        #expect(h.taskProcesses(pool: "sims").isEmpty)
    }

    // MARK: 6

    @Test(arguments: TestStateBackend.allCases)
    func tasksRemovedFromTheConfigurationAreCancelledTheOthersKeepRunning(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        func pool(_ items: String) -> String {
            """
            items: [\(items)]
            command: ["sleep", "30"]
            \(Self.retry)
            """
        }
        try h.writePool(slots: 8, spec: pool("a, b, c, d"))
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims").count == 4 })
        let before = Dictionary(h.taskProcesses(pool: "sims").filter(\.isCommand).map { ($0.key, $0.pid) }, uniquingKeysWith: { a, _ in a })
        #expect(before.count == 4)

        try h.writePool(slots: 8, spec: pool("a, b"))
        let plan = try h.orbrec("plan", "--json")
        let actions = try h.json(plan.stdout)["actions"] as? [[String: Any]] ?? []
        #expect(actions.map { $0["verb"] as? String } == ["cancel"], "\(plan.stdout)")
        #expect(actions.first?["reason"] as? String == "removed-from-config")
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")

        #expect(h.runningCommands(pool: "sims") == ["sims/a#1", "sims/b#1"], "\(h.runningCommands())")
        let after = Dictionary(h.taskProcesses(pool: "sims").filter(\.isCommand).map { ($0.key, $0.pid) }, uniquingKeysWith: { a, _ in a })
        #expect(after == before.filter { ["a", "b"].contains($0.key) }, "a and b keep running, the same processes")
        let tasks = try h.tasksByKey()
        #expect(tasks["a"]?["state"] as? String == "running" && tasks["b"]?["state"] as? String == "running")
        #expect(tasks["c"]?["state"] as? String == "cancelled" && tasks["d"]?["state"] as? String == "cancelled")
        let cancels = try h.history().filter { $0["verb"] as? String == "cancel" }
        #expect(cancels.count == 1)
        #expect(cancels.first?["reason"] as? String == "removed-from-config")
        #expect(cancels.first?["state"] as? String == "succeeded")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "nothing left to do while a and b run")
    }

    // MARK: 7

    /// 6 tasks of 1 s, all at once; task 6 exits 3 and has one attempt. Each run appends
    /// `key attempt` to runs.log, so a second run of anything shows.
    func writeCrashPool(_ h: Harness) throws {
        try h.writePool(slots: 8, spec: """
            range: {from: 1, to: 6}
            command: ["sh", "-c", "echo ${item} ${attempt} >> \(h.directory)/runs.log; sleep 1; test ${item} -ne 6 || exit 3"]
            parallelism: 6
            retry: {maxAttempts: 1, initialBackoff: 100ms, maxBackoff: 300ms}
            """)
    }

    func runs(_ h: Harness) -> [String] {
        ((try? String(contentsOfFile: h.directory + "/runs.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(arguments: TestStateBackend.allCases)
    func killedAfterTheSchedulerStartedTheAttemptsNothingRunsTwice(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try writeCrashPool(h)
        let killed = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": "action.after-provider"])
        #expect(killed.status == 137, "killed at action.after-provider, got \(killed.status): \(killed.stderr)")
        #expect(Set(h.taskProcesses(pool: "sims").filter(\.isCommand).map(\.key)).count == 6 || h.resultFiles(key: "1") == [1],
                "the 6 commands outlive orbrec")
        #expect(h.supervisors().count == 1, "their supervisor outlives orbrec")
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims").count == 6 } || h.resultFiles(key: "1") == [1],
                "the attempts run on without orbrec")
        #expect(h.eventually(timeout: 10) { (1...6).allSatisfy { h.resultFiles(key: "\($0)") == [1] } }, "every attempt ended while orbrec was down")
        usleep(200_000)

        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(rerun.status == 1, "task 6 is dead-lettered: \(rerun.stdout) \(rerun.stderr)")
        #expect(rerun.stderr.contains("1 task(s) dead-lettered"), "\(rerun.stderr)")
        #expect(rerun.stderr.contains("6 of 6 attempt(s) found running or ended and adopted"), "\(rerun.stderr)")
        let tasks = try h.tasksByKey()
        for key in 1...6 {
            let task = tasks["\(key)"]
            let attempts = attemptRows(task)
            #expect(task?["state"] as? String == (key == 6 ? "dead_letter" : "completed"), "task \(key): \(String(describing: task))")
            #expect(attempts.count == 1, "task \(key): nothing runs twice, \(attempts.count) attempt rows")
            #expect(attempts.first?["state"] as? String == "ended")
            #expect(Self.int(attempts.first?["exit_code"]) == (key == 6 ? 3 : 0), "task \(key): \(attempts)")
            #expect(attempts.first?["failure_class"] as? String == (key == 6 ? "app-error" : nil))
            #expect(Self.int(task?["attempts_consumed"]) == (key == 6 ? 1 : 0))
            #expect(h.resultFiles(key: "\(key)") == [1], "task \(key): result files on disk")
            if let task { expectWellFormed(task, "after-provider") }
        }
        #expect(runs(h).sorted() == (1...6).map { "\($0) 1" }, "each task ran exactly once: \(runs(h))")
        let open = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "actions", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!open.contains { ["planned", "issuing"].contains($0["state"] as? String) }, "no action left open")
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0)
    }

    @Test(arguments: TestStateBackend.allCases)
    func killedBeforeTheSchedulerWasAskedTheNeverStartedAttemptIsLostAndNotCounted(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try writeCrashPool(h)
        let killed = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": "action.after-issuing"])
        #expect(killed.status == 137, "killed at action.after-issuing, got \(killed.status): \(killed.stderr)")
        #expect(h.taskProcesses(pool: "sims").isEmpty, "nothing was started")
        usleep(2_000_000)
        #expect(runs(h).isEmpty)

        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(rerun.status == 1, "task 6 is dead-lettered: \(rerun.stdout) \(rerun.stderr)")
        #expect(rerun.stderr.contains("0 of 6 attempt(s) found running or ended and adopted"), "\(rerun.stderr)")
        let tasks = try h.tasksByKey()
        for key in 1...6 {
            let task = tasks["\(key)"]
            let attempts = attemptRows(task)
            #expect(task?["state"] as? String == (key == 6 ? "dead_letter" : "completed"), "task \(key): \(String(describing: task))")
            #expect(attempts.compactMap { Self.int($0["attempt"]) } == [1, 2], "task \(key): \(attempts)")
            #expect(attempts.first?["failure_class"] as? String == "infra", "the never-started attempt is lost: \(attempts)")
            #expect(attempts.first?["exit_code"] == nil || attempts.first?["exit_code"] is NSNull)
            #expect(Self.int(attempts.last?["exit_code"]) == (key == 6 ? 3 : 0), "task \(key): \(attempts)")
            #expect(Self.int(task?["attempts_consumed"]) ?? 99 <= 1, "the lost attempt is not counted")
            #expect(Self.int(task?["attempts_consumed"]) == (key == 6 ? 1 : 0))
            #expect(h.resultFiles(key: "\(key)") == [2], "task \(key): only attempt 2 ran")
            if let task { expectWellFormed(task, "after-issuing") }
        }
        #expect(runs(h).sorted() == (1...6).map { "\($0) 2" }, "each task ran exactly once: \(runs(h))")
        let open = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "actions", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!open.contains { ["planned", "issuing"].contains($0["state"] as? String) }, "no action left open")
    }

    // MARK: 8

    @Test(arguments: TestStateBackend.allCases)
    func aSecondApplyWhileAttemptsRunSubmitsNothingAndRecordsTheirEnd(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            range: {from: 1, to: 3}
            command: ["sleep", "2"]
            \(Self.retry)
            """)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims").count == 3 })
        #expect(try h.orbrec("plan", "--detailed-exitcode").status == 0, "running tasks plan nothing")
        let second = try h.orbrec("apply", "--auto-approve")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("No changes"), "\(second.stdout)")
        #expect(h.eventually(timeout: 2) { h.runningCommands(pool: "sims") == ["sims/1#1", "sims/2#1", "sims/3#1"] }, "\(h.runningCommands())")
        #expect(try h.tasks("sims").allSatisfy { $0["state"] as? String == "running" && attemptRows($0).count == 1 })

        #expect(h.eventually(timeout: 10) { (1...3).allSatisfy { h.resultFiles(key: "\($0)") == [1] } })
        let wait = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(wait.status == 0, "\(wait.stderr)")
        let tasks = try h.tasksByKey()
        for key in ["1", "2", "3"] {
            #expect(tasks[key]?["state"] as? String == "completed")
            #expect(attemptRows(tasks[key]).count == 1, "no new attempt for task \(key)")
            #expect(Self.int(attemptRows(tasks[key]).first?["exit_code"]) == 0)
            if let task = tasks[key] { expectWellFormed(task, "restart") }
        }
        #expect(try h.history().filter { $0["verb"] as? String == "submit" }.count == 1, "one submit in all")
    }

    // MARK: 9

    /// The attempt supervisor killed with SIGKILL (the OOM killer, an operator): no one can
    /// record the attempt's end, so it is lost (infra, not counted) and retried — and its
    /// command, left running in its own session, must not keep running beside the new attempt.
    @Test(arguments: TestStateBackend.allCases)
    func aLostAttemptsCommandDoesNotRunBesideItsRetry(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            items: [a]
            command: ["sh", "-c", "echo ${attempt} >> \(h.directory)/runs.log; sleep 30"]
            retry: {maxAttempts: 2, initialBackoff: 100ms, maxBackoff: 300ms}
            """)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        #expect(h.eventually(timeout: 5) { h.runningCommands(pool: "sims") == ["sims/a#1"] })
        let supervisor = try #require(h.supervisors().first)
        kill(supervisor, SIGKILL)
        #expect(h.eventually(timeout: 5) { h.supervisors().isEmpty })
        #expect(h.runningCommands(pool: "sims") == ["sims/a#1"], "the command runs on, orphaned")

        // The first apply records the loss; one after the backoff starts attempt 2.
        let retried = try h.eventually(timeout: 10) {
            _ = try h.orbrec("apply", "--auto-approve")
            return Self.int(try h.tasksByKey()["a"]?["attempts_started"]) == 2
        }
        #expect(retried, "attempt 2 was started")
        let task = try h.tasksByKey()["a"]
        let rows = attemptRows(task)
        #expect(rows.first?["failure_class"] as? String == "infra", "\(rows)")
        #expect(Self.int(task?["attempts_consumed"]) == 0, "a lost attempt is not counted")
        #expect(h.eventually(timeout: 10) { runs(h).count == 2 })

        let alive = h.eventually(timeout: 3) { h.runningCommands(pool: "sims") == ["sims/a#2"] }
        let commands = h.taskProcesses(pool: "sims")
            .map { "pid \($0.pid) attempt \($0.attempt): \($0.commandLine.joined(separator: " "))" }
        #expect(alive, "only attempt 2 runs; alive: \(commands)")
    }

    // MARK: 10

    /// More tasks than parallelism: each batch starts as soon as the previous one ends, not after
    /// `apply --wait`'s crash-loop backoff (which doubles to 5 s while passes keep finding work).
    @Test(arguments: TestStateBackend.allCases)
    func aPoolWiderThanItsParallelismIsNotThrottledByTheWaitBackoff(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 8, spec: """
            range: {from: 1, to: 12}
            command: ["sleep", "0.1"]
            parallelism: 2
            """)
        let started = Date()
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        let took = Date().timeIntervalSince(started)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try h.tasks("sims").allSatisfy { $0["state"] as? String == "completed" })
        #expect(took < 8, "6 batches of 2 × 0.1 s took \(String(format: "%.1f", took)) s")
    }

    // MARK: 11

    /// Many short attempts ending while orbrec observes: an attempt that ended between the scan
    /// of result files and the scan of /proc must still be seen as ended, never as lost (which
    /// would run a task that succeeded a second time).
    @Test(arguments: TestStateBackend.allCases)
    func attemptsEndingDuringAnObservationAreNeverTakenForLost(_ backend: TestStateBackend) throws {
        let h = try Harness(backend: backend)
        defer { h.killTasks() }
        try h.writePool(slots: 16, spec: """
            range: {from: 1, to: 150}
            command: ["sh", "-c", "echo ${item} ${attempt} >> \(h.directory)/runs.log; sleep 0.1"]
            parallelism: 16
            retry: {maxAttempts: 3, initialBackoff: 100ms, maxBackoff: 300ms}
            """)
        let deadline = Date().addingTimeInterval(60)
        var tasks: [[String: Any]] = []
        // Plain applies back to back: each observes twice, while attempts keep ending.
        repeat {
            let apply = try h.orbrec("apply", "--auto-approve")
            #expect(apply.status == 0, "\(apply.stderr)")
            tasks = try h.tasks("sims")
        } while Date() < deadline && !(tasks.count == 150 && tasks.allSatisfy { $0["state"] as? String == "completed" })
        #expect(tasks.count == 150 && tasks.allSatisfy { $0["state"] as? String == "completed" })
        let lost = tasks.flatMap { task in
            attemptRows(task).filter { $0["failure_class"] as? String == "infra" }.map { "\(task["key"] ?? "")#\($0["attempt"] ?? "")" }
        }
        #expect(lost.isEmpty, "\(lost.count) attempt(s) taken for lost: \(lost)")
        let twice = tasks.filter { attemptRows($0).count != 1 }.map { "\($0["key"] ?? "") (\(attemptRows($0).count) attempts, results on disk \(h.resultFiles(key: $0["key"] as? String ?? "")))" }
        #expect(twice.isEmpty, "tasks that ran more than once: \(twice)")
        #expect(runs(h).count == 150, "\(runs(h).count) runs for 150 tasks")
    }
}
