import Foundation
import NIOHTTP1
import Testing

/// Tasks posted over HTTP to a pool whose tasks come from the API (`source: api`) on the real
/// single-node Slurm that scripts/test.sh starts: each runs as a Slurm job with its args as
/// argv elements, is retried and dead-lettered, and a DELETE cancels its job in Slurm.
@Suite(.serialized) struct SlurmAPITaskTests {
    @Test("api tasks on Slurm: args as argv, a retry and a dead letter, a cancel that reaches Slurm")
    func apiTasksRunAsSlurmJobs() async throws {
        try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_SLURM"] == "1" && ProcessInfo.processInfo.environment["SLURM_CONF"] != nil,
                     "no Slurm: run the tests with scripts/test.sh, which starts a single-node Slurm")
        let h = try Harness()
        try h.write("slurm.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: hpc}
            spec: {type: slurm, partition: debug}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: echo}
            spec:
              scheduler: hpc
              source: api
              command: ["sh", "-c", 'echo "got $1"; exit "$2"', "sh", "${args.text}", "${args.code}"]
              retry: {maxAttempts: 2, initialBackoff: 1s, maxBackoff: 2s, jitter: 0}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: slow}
            spec:
              scheduler: hpc
              source: api
              command: ["sleep", "${args.seconds}"]
            """)
        let daemon = try await APITaskTests.start(h)
        defer { _ = try? daemon.stop() }

        // Shell metacharacters reach the command as one argv element, never through a shell.
        let hostile = "a b; touch /tmp/orbrec-pwned $(id) `id` ${HOME}"
        for (pool, body) in [("echo", ["key": "ok", "args": ["text": hostile, "code": "0"]] as [String: Any]),
                             ("echo", ["key": "bad", "args": ["text": "x", "code": "3"]]),
                             ("slow", ["key": "long", "args": ["seconds": "120"]])] {
            let posted = try await APITaskTests.post(daemon, pool, body)
            #expect(posted.status == 201, "\(pool): \(posted.status) \(posted.body)")
        }

        _ = try await APITaskTests.state(daemon, "echo", "ok", is: "completed", timeout: 90)
        #expect(try APITaskTests.output(h, "echo", "ok") == "got \(hostile)\n")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/orbrec-pwned"))
        let tasks = try h.allTasks()
        let ok = try #require(tasks.first { $0["pool"] as? String == "echo" && $0["key"] as? String == "ok" })
        #expect(Harness.jobIDs(ok).count == 1 && Harness.jobIDs(ok).allSatisfy { !$0.isEmpty }, "a Slurm job: \(ok)")

        let bad = try await APITaskTests.state(daemon, "echo", "bad", is: "dead_letter", timeout: 120)
        #expect(bad["attempts_consumed"] as? Int == 2, "retried once, then dead-lettered: \(bad)")

        // A DELETE of a running task cancels its job in Slurm.
        _ = try await APITaskTests.state(daemon, "slow", "long", is: "running", timeout: 90)
        let running = try #require(try h.allTasks().first { $0["pool"] as? String == "slow" })
        let job = try #require(Harness.jobIDs(running).last)
        let deleted = try await daemon.request(.DELETE, "/api/v1/pools/slow/tasks/long", token: APITaskTests.token)
        #expect([200, 202].contains(deleted.status), "\(deleted.status) \(deleted.body)")
        _ = try await APITaskTests.state(daemon, "slow", "long", is: "cancelled", timeout: 60)
        _ = try await daemon.eventually("job \(job) gone from Slurm's queue", timeout: 60) { () -> Bool? in
            let shown = try h.runProgram("/usr/bin/env", ["squeue", "-h", "-j", job, "-o", "%T"])
            let state = shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return ["RUNNING", "PENDING", "COMPLETING", "CONFIGURING", "SUSPENDED"].contains(state) ? nil : true
        }
    }
}
