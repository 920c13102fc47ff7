import Foundation
import Testing

/// Task pools on the real single-node Slurm that scripts/test.sh starts, through the binary.
@Suite(.serialized) struct SlurmEndToEndTests {
    func requireSlurm() throws {
        try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_SLURM"] == "1" && ProcessInfo.processInfo.environment["SLURM_CONF"] != nil,
                     "no Slurm: run the tests with scripts/test.sh, which starts a single-node Slurm")
    }

    func writePool(_ h: Harness, items: [String], command: String, parallelism: Int = 2, maxAttempts: Int = 2,
                   resources: String = "{}") throws {
        try h.write("slurm.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: hpc}
            spec: {type: slurm, partition: debug}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: sims}
            spec:
              scheduler: hpc
              items: [\(items.joined(separator: ", "))]
              command: \(command)
              parallelism: \(parallelism)
              resources: \(resources)
              retry: {maxAttempts: \(maxAttempts), initialBackoff: 1s, maxBackoff: 2s}
            """)
    }

    @Test func aPoolRunsAsOneThrottledArrayToCompletion() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, items: ["a", "b", "c", "d", "e", "f"], command: #"["sh", "-c", "echo out-${item}; echo err-${item} >&2"]"#)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let tasks = try h.allTasks()
        #expect(tasks.count == 6 && tasks.allSatisfy { $0["state"] as? String == "completed" })
        let ids = tasks.flatMap(Harness.jobIDs)
        let arrays = Set(ids.compactMap { $0.split(separator: "_").first.map(String.init) })
        #expect(ids.allSatisfy { $0.contains("_") } && arrays.count == 1, "one job array for the first attempts: \(ids)")
        let array = try #require(arrays.first)
        let shown = try h.runProgram("/usr/bin/env", ["scontrol", "show", "job", "-o", array])
        #expect(shown.stdout.contains("ArrayTaskThrottle=2"), "throttled by the pool's parallelism: \(shown.stdout.prefix(400))")
        let logs = try h.orbrec("tasks", "logs", "sims", "c")
        #expect(logs.stdout.contains("out-c"))
        #expect(try h.orbrec("tasks", "logs", "sims", "c", "--stderr").stdout.contains("err-c"))
        let status = try h.orbrec("status")
        #expect(status.stdout.contains("Scheduler/hpc") && status.stdout.contains("reachable"), "\(status.stdout)")
    }

    @Test func aFailingTaskIsRetriedAsASingleJobThenDeadLettered() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, items: ["ok", "bad"], command: #"["sh", "-c", "test ${item} = ok || exit 3"]"#)
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 1, "dead letters fail --wait: \(apply.stdout)\(apply.stderr)")
        let bad = try #require(try h.allTasks().first { $0["key"] as? String == "bad" })
        #expect(bad["state"] as? String == "dead_letter")
        #expect(bad["attempts_consumed"] as? Int == 2)
        let ids = Harness.jobIDs(bad)
        #expect(ids.count == 2 && ids[0].contains("_") && !ids[1].contains("_"), "first in the array, the retry on its own: \(ids)")
        let attempts = bad["attempts"] as? [[String: Any]] ?? []
        #expect(attempts.allSatisfy { $0["exit_code"] as? Int == 3 })
    }

    @Test func aCancelledTaskIsCancelledInSlurm() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, items: ["long", "short"], command: #"["sh", "-c", "test ${item} = short || sleep 300"]"#)
        #expect(try h.orbrec("apply", "--auto-approve").status == 0)
        var running = false
        for _ in 0..<60 where !running {
            running = try h.allTasks().contains { $0["key"] as? String == "long" && $0["state"] as? String == "running" }
            if !running { usleep(250_000) }
        }
        let long = try #require(try h.allTasks().first { $0["key"] as? String == "long" })
        let job = try #require(Harness.jobIDs(long).first)
        // Cancelled while it runs in Slurm, not while it still waits for the scheduler.
        var slurmState = ""
        for _ in 0..<80 where slurmState != "RUNNING" {
            let queue = try h.runProgram("/usr/bin/env", ["squeue", "-h", "-t", "all", "-o", "%i|%T"])
            slurmState = queue.stdout.split(whereSeparator: \.isNewline).first { $0.hasPrefix("\(job)|") }.map { String($0.split(separator: "|")[1]) } ?? ""
            if slurmState != "RUNNING" { usleep(250_000) }
        }
        #expect(slurmState == "RUNNING")
        let cancel = try h.orbrec("tasks", "cancel", "sims", "long")
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        var state = ""
        for _ in 0..<80 where state != "cancelled" {
            _ = try h.orbrec("apply", "--auto-approve")
            state = try h.allTasks().first { $0["key"] as? String == "long" }?["state"] as? String ?? ""
            if state != "cancelled" { usleep(250_000) }
        }
        #expect(state == "cancelled")
        let queue = try h.runProgram("/usr/bin/env", ["squeue", "-h", "-t", "all", "-o", "%i|%T"])
        #expect(queue.stdout.split(whereSeparator: \.isNewline).contains { $0 == "\(job)|CANCELLED" }, "\(job) in \(queue.stdout)")
    }

    @Test(arguments: ["action.after-provider", "action.after-issuing", "journal.after-intent"])
    func killMidPoolThenRerunSubmitsNothingTwice(_ failpoint: String) throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, items: ["a", "b", "c", "d"], command: #"["sh", "-c", "sleep 1"]"#)
        let killed = try h.orbrec("apply", "--auto-approve", environment: ["ORBREC_FAILPOINT": failpoint])
        #expect(killed.status == 9 || killed.status == 137, "\(failpoint): \(killed.status) \(killed.stderr)")
        let rerun = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let tasks = try h.allTasks()
        #expect(tasks.count == 4 && tasks.allSatisfy { $0["state"] as? String == "completed" })
        let owner = try h.stateID()
        let jobs = try h.slurmJobs(owner: owner)
        // Each task ran once: one array task or one job per key, never two.
        #expect(jobs.count == 4, "\(failpoint): \(jobs.map(\.id))")
        #expect(Set(jobs.map(\.comment)).count == jobs.count || jobs.allSatisfy { $0.comment.contains(":@") }, "one job per attempt")
        if failpoint == "action.after-provider" {
            // sbatch had answered: the rerun adopts those jobs by their comment, it does not send them again.
            #expect(tasks.allSatisfy { ($0["attempts_started"] as? Int) == 1 }, "\(failpoint): adopted, not resubmitted")
        }
    }

    @Test func aWalltimeRunsOutAsATimeout() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, items: ["slow"], command: #"["sleep", "600"]"#, maxAttempts: 1, resources: "{walltime: 30s}")
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "170s")
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        let slow = try #require(try h.allTasks().first)
        #expect(slow["state"] as? String == "dead_letter")
        let attempt = try #require((slow["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["failure_class"] as? String == "timeout" || (slow["last_result"] as? String) == "timeout", "\(slow)")
    }
}
