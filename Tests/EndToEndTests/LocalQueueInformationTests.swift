import Foundation
import Testing

/// The local scheduler answers `get partitions`, `get jobs` and status's slots as a cluster of
/// one: a partition `local` with its slots, and the commands it runs as its jobs.
@Suite struct LocalQueueInformationTests {
    @Test func theLocalSchedulerIsOnePartitionWithItsSlotsAndItsCommandsAsJobs() throws {
        let h = try Harness()
        try h.write("pool.yaml", """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 3}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: naps}
            spec:
              scheduler: cpu
              items: [a, b]
              command: [sleep, "30"]
            """)
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        defer { _ = try? h.orbrec("tasks", "cancel", "naps") }

        var jobs: [[String: Any]] = []
        for _ in 0..<40 where jobs.count < 2 {
            jobs = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "jobs", "-o", "json").stdout.utf8)) as? [[String: Any]] ?? []
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(jobs.compactMap { $0["key"] as? String }.sorted() == ["a", "b"], "\(jobs)")
        #expect(jobs.allSatisfy { $0["pool"] as? String == "naps" && $0["partition"] as? String == "local" && $0["state"] as? String == "RUNNING" })

        let partitions = try JSONSerialization.jsonObject(with: Data(try h.orbrec("get", "partitions", "-o", "json").stdout.utf8)) as? [[String: Any]]
        let local = try #require(partitions?.first)
        #expect(local["name"] as? String == "local" && local["scheduler"] as? String == "cpu")
        let cpus = try #require(local["cpus"] as? [String: Any])
        #expect(cpus["total"] as? Int == 3 && cpus["allocated"] as? Int == 2 && cpus["idle"] as? Int == 1, "\(cpus)")

        let status = try h.orbrec("status")
        #expect(status.stdout.contains("reachable, 2 used, 1 free of 3 (local)"), "\(status.stdout)")

        // The same over MCP (orbrec mcp, stdio).
        let client = try h.startMCP()
        _ = try client.initialize()
        let listed = try client.call("list_partitions", ["scheduler": "cpu"])
        #expect(!listed.isError, "\(listed.body)")
        let partition = try #require((listed.body["partitions"] as? [[String: Any]])?.first)
        #expect(partition["name"] as? String == "local" && (partition["cpus"] as? [String: Any])?["allocated"] as? Int == 2)
        let mcpJobs = try client.call("list_jobs")
        #expect((mcpJobs.body["jobs"] as? [[String: Any]])?.compactMap { $0["key"] as? String }.sorted() == ["a", "b"], "\(mcpJobs.body)")
        let unknown = try client.call("list_jobs", ["scheduler": "gpu"])
        #expect(unknown.isError && unknown.errorCode == "unknown-scheduler", "\(unknown.body)")
        #expect(try client.close().status == 0)
    }
}
