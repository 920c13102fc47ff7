import Foundation
import Testing

/// Issue 21 items 3 and 6 on the real single-node Slurm that scripts/test.sh starts (partitions
/// `debug`, the default, and `short`), through the binary: `get partitions`, `get jobs`, and a
/// partition the cluster does not have refused at plan time, where it is written.
@Suite(.serialized) struct SlurmQueueEndToEndTests {
    func requireSlurm() throws {
        try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_SLURM"] == "1" && ProcessInfo.processInfo.environment["SLURM_CONF"] != nil,
                     "no Slurm: run the tests with scripts/test.sh, which starts a single-node Slurm")
    }

    /// Line 13 holds `partition: NAME` at column 16 (what the unknown-partition test expects).
    func writePool(_ h: Harness, partition: String, command: String = #"["sleep", "30"]"#) throws {
        try h.write("slurm.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: hpc}
            spec: {type: slurm}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: sims}
            spec:
              scheduler: hpc
              items: [a, b, c]
              resources:
                partition: \(partition)
              command: \(command)
              retry: {maxAttempts: 1}
            """)
    }

    func json(_ text: String) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
    }

    /// `A/I/O/T` CPUs of a partition as sinfo itself prints them.
    func sinfoCPUs(_ h: Harness, _ partition: String) throws -> [Int] {
        let result = try h.runProgram("/usr/bin/env", ["sinfo", "-h", "-p", partition, "-o", "%C"])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/").compactMap { Int($0) }
    }

    @Test func getPartitionsShowsTheTestPartitionsWithTheirCPUs() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, partition: "short")
        // No state yet: the cluster is asked all the same, and no state is made for it.
        let table = try h.orbrec("get", "partitions")
        #expect(table.status == 0, "\(table.stdout)\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("SCHEDULER  PARTITION  STATE") == true, "\(table.stdout)")
        let cpus = try sinfoCPUs(h, "debug")
        #expect(cpus.count == 4 && cpus[3] > 0)
        #expect(lines.contains { $0.hasPrefix("hpc") && $0.contains("debug*") && $0.contains("up") && $0.contains("/\(cpus[3])") && $0.contains("unlimited") },
                "\(table.stdout)")
        #expect(lines.contains { $0.contains(" short ") && $0.contains("10:00") }, "\(table.stdout)")
        #expect(!FileManager.default.fileExists(atPath: h.state), "a read made no state")

        let documents = try json(try h.orbrec("get", "partitions", "--scheduler", "hpc", "-o", "json").stdout)
        let debug = try #require(documents.first { $0["name"] as? String == "debug" })
        #expect(debug["default"] as? Bool == true && debug["state"] as? String == "up" && debug["time_limit"] as? String == "unlimited")
        let shownCPUs = try #require(debug["cpus"] as? [String: Any])
        #expect(shownCPUs["total"] as? Int == cpus[3])
        let short = try #require(documents.first { $0["name"] as? String == "short" })
        #expect(short["time_limit_seconds"] as? Int == 600)
        #expect(try h.orbrec("get", "partition", "short", "-o", "json").stdout.contains("\"short\""))
        let unknown = try h.orbrec("get", "partitions", "--scheduler", "nope")
        #expect(unknown.status == 1 && unknown.stderr.contains("no scheduler nope in the configuration"), "\(unknown.stderr)")
    }

    /// The routes and MCP tools answer what the CLI answers, on the real cluster.
    @Test func partitionsAndJobsOverRESTAndMCPAreTheCLIs() async throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, partition: "debug")
        let daemon = try await APITaskTests.start(h)
        defer {
            _ = try? daemon.stop()
            _ = try? h.orbrec("tasks", "cancel", "sims")
        }
        let ours = try await daemon.eventually("the pool's 3 jobs over REST", timeout: 60) { () -> [[String: Any]]? in
            let jobs = try await daemon.get("/api/v1/schedulers/hpc/jobs", token: APITaskTests.token).array()
            return jobs.filter { $0["pool"] as? String == "sims" }.count == 3 ? jobs : nil
        }
        #expect(ours.allSatisfy { $0["scheduler"] as? String == "hpc" && $0["partition"] as? String == "debug" }, "\(ours)")
        let cli = try json(try h.orbrec("get", "jobs", "-o", "json").stdout)
        #expect(Set(cli.compactMap { $0["id"] as? String }) == Set(ours.compactMap { $0["id"] as? String }), "CLI \(cli) REST \(ours)")

        let partitions = try await daemon.get("/api/v1/schedulers/hpc/partitions", token: APITaskTests.token).array()
        let byCLI = try json(try h.orbrec("get", "partitions", "-o", "json").stdout)
        func stable(_ documents: [[String: Any]]) -> [String] {
            documents.map { "\($0["name"] ?? "-") \($0["state"] ?? "-") \($0["time_limit"] ?? "-") \($0["default"] ?? "-")" }.sorted()
        }
        #expect(stable(partitions) == stable(byCLI) && stable(partitions).count == 2, "\(partitions)")
        let unknown = try await daemon.get("/api/v1/schedulers/nope/partitions", token: APITaskTests.token)
        #expect(unknown.status == 404, "\(unknown.status) \(unknown.body)")

        // And over the daemon's MCP endpoint.
        let listed = try await DaemonMCPTests.rpc(daemon, "tools/call", ["name": "list_partitions", "arguments": ["scheduler": "hpc"]],
                                                  token: APITaskTests.token)
        let listedBody = (try listed.object()["result"] as? [String: Any])?["structuredContent"] as? [String: Any]
        #expect(stable(listedBody?["partitions"] as? [[String: Any]] ?? []) == stable(byCLI), "\(listed.body)")
        let jobs = try await DaemonMCPTests.rpc(daemon, "tools/call", ["name": "list_jobs", "arguments": ["scheduler": "hpc"]],
                                                token: APITaskTests.token)
        let jobsBody = (try jobs.object()["result"] as? [String: Any])?["structuredContent"] as? [String: Any]
        let mcpIDs = Set((jobsBody?["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(Set(ours.compactMap { $0["id"] as? String }).isSubset(of: mcpIDs), "\(jobs.body)")
    }

    @Test func getJobsShowsAPoolsJobsWhileTheyRun() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, partition: "debug")
        // Someone else's job of the same user, which only --all shows.
        let outside = try h.runProgram("/usr/bin/env", ["sbatch", "--parsable", "--job-name=not-orbrec", "--hold", "--wrap", "true"])
        let outsideID = outside.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? h.runProgram("/usr/bin/env", ["scancel", outsideID]) }
        #expect(outside.status == 0 && !outsideID.isEmpty, "\(outside.stderr)")
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        defer { _ = try? h.orbrec("tasks", "cancel", "sims") }

        var mine: [[String: Any]] = []
        for _ in 0..<40 where mine.filter({ $0["state"] as? String == "RUNNING" }).isEmpty {
            mine = try json(try h.orbrec("get", "jobs", "-o", "json").stdout)
            Thread.sleep(forTimeInterval: 0.25)
        }
        #expect(Set(mine.compactMap { $0["key"] as? String }) == ["a", "b", "c"], "\(mine)")
        #expect(mine.allSatisfy { $0["pool"] as? String == "sims" && $0["mine"] as? Bool == true && $0["partition"] as? String == "debug" })
        #expect(mine.contains { $0["state"] as? String == "RUNNING" }, "\(mine)")
        #expect(!mine.contains { $0["id"] as? String == outsideID })

        let table = try h.orbrec("get", "jobs")
        #expect(table.stdout.contains("SCHEDULER  JOB") && table.stdout.contains("sims") && table.stdout.contains("RUNNING"), "\(table.stdout)")
        let all = try json(try h.orbrec("get", "jobs", "--all", "-o", "json").stdout)
        let theirs = try #require(all.first { $0["id"] as? String == outsideID }, "\(all)")
        #expect(theirs["mine"] as? Bool == false && theirs["name"] as? String == "not-orbrec" && theirs["reason"] as? String == "JobHeldUser")
        #expect(all.count >= mine.count + 1)
        // status: the CPUs of the partition the scheduler's jobs go to (the default, debug), used and free.
        let status = try h.orbrec("status")
        let row = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("Scheduler/hpc") }, "\(status.stdout)")
        let cpus = try sinfoCPUs(h, "debug")
        #expect(row.contains("reachable, ") && row.contains(" free of \(cpus[3]) (debug)") && !row.contains("reachable, 0 used"), "\(row)")
    }

    @Test func anUnknownPartitionFailsPlanWithItsLocationAndAppliesNothing() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, partition: "nope")
        let plan = try h.orbrec("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("slurm.yaml:13:16: error: TaskPool/sims: scheduler hpc has no partition nope (partitions: debug, short)"),
                "\(plan.stdout)\(plan.stderr)")
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 1 && apply.stderr.contains("has no partition nope"), "\(apply.stdout)\(apply.stderr)")
        #expect(try json(try h.orbrec("get", "tasks", "-o", "json").stdout).isEmpty, "nothing was submitted")
        #expect(try json(try h.orbrec("get", "jobs", "-o", "json").stdout).isEmpty, "Slurm holds no job of this state")
        // A partition it has plans and applies.
        try writePool(h, partition: "short", command: #"["true"]"#)
        let fixed = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
    }

    /// The check blocks nothing it could not make: a warning at the partition, no unknown-partition
    /// error. (The plan still ends 1, as before: a scheduler that cannot be observed at all is
    /// reported by its own rule, which leaves its pools unchanged.)
    @Test func aClusterOutOfReachLeavesThePartitionUnchecked() throws {
        try requireSlurm()
        let h = try Harness()
        try writePool(h, partition: "nope")
        // A configuration Slurm's clients cannot use: sinfo fails at once (a missing file would
        // have them retry for a minute).
        try "".write(toFile: h.directory + "/empty-slurm.conf", atomically: true, encoding: .utf8)
        let plan = try h.orbrec("plan", environment: ["SLURM_CONF": h.directory + "/empty-slurm.conf"])
        let output = plan.stdout + plan.stderr
        #expect(output.contains("slurm.yaml:13:16: warning: scheduler hpc could not be asked for its partitions and accounts"), "\(output)")
        #expect(output.contains("partition nope not checked"), "\(output)")
        #expect(!output.contains("has no partition"), "\(output)")
        #expect(output.contains("scheduler hpc could not be observed"), "the scheduler's own rule still speaks: \(output)")
    }
}
