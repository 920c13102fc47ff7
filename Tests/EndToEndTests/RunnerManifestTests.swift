import Foundation
import Glibc
import Testing

/// `orbrec _run-attempt --manifest=FILE`, as a cluster job runs it: the entry chosen by the
/// array index, the job's exit mirroring the command's, and a stop by the cluster after the
/// walltime recorded as a timeout rather than an interruption.
@Suite(.serialized) struct RunnerManifestTests {
    func writeManifest(_ h: Harness, walltimeMs: Int64?, entries: [(key: String, argv: [String])]) throws -> String {
        var manifest: [String: Any] = ["owner": "st-runner", "scheduler": "hpc", "pool": "p", "root": h.directory + "/tasks",
                                       "env": ["GREETING": "hi"],
                                       "entries": entries.map { ["key": $0.key, "attempt": 1, "argv": $0.argv] }]
        if let walltimeMs { manifest["walltimeMilliseconds"] = walltimeMs }
        let path = h.directory + "/manifest.json"
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        return path
    }

    func result(_ h: Harness, key: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: h.directory + "/tasks/p/\(key)/1.result.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test func theArrayIndexPicksTheEntryAndTheJobExitsAsItsCommand() throws {
        let h = try Harness()
        let manifest = try writeManifest(h, walltimeMs: nil, entries: [("a", ["sh", "-c", "echo $GREETING-a"]), ("b", ["sh", "-c", "exit 7"])])
        let first = try h.run(["_run-attempt", "--manifest=\(manifest)"], environment: ["SLURM_ARRAY_TASK_ID": "0"])
        #expect(first.status == 0)
        #expect(try String(contentsOfFile: h.directory + "/tasks/p/a/1.out", encoding: .utf8) == "hi-a\n")
        let second = try h.run(["_run-attempt", "--manifest=\(manifest)"], environment: ["SLURM_ARRAY_TASK_ID": "1"])
        #expect(second.status == 7, "the job fails as its command did")
        #expect(try result(h, key: "b")["exitCode"] as? Int == 7)
        let missing = try h.run(["_run-attempt", "--manifest=\(manifest)"], environment: ["SLURM_ARRAY_TASK_ID": "5"])
        #expect(missing.status == 2 && missing.stderr.contains("no attempt at index 5"))
    }

    @Test func aStopAfterTheWalltimeIsATimeoutAndBeforeItAnInterruption() throws {
        for (walltime, expectTimeout) in [(Int64(500), true), (Int64(60_000), false)] {
            let h = try Harness()
            let manifest = try writeManifest(h, walltimeMs: walltime, entries: [("slow", ["sleep", "30"])])
            let runner = try h.start(["_run-attempt", "--manifest=\(manifest)"])
            usleep(1_200_000)
            kill(runner.processIdentifier, SIGTERM)
            _ = try runner.wait(timeout: 30)
            let result = try result(h, key: "slow")
            #expect(result["timedOut"] as? Bool == expectTimeout, "walltime \(walltime) ms: \(result)")
            #expect(result["interrupted"] as? Bool == !expectTimeout)
        }
    }
}
