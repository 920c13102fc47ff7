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

    /// The runner sleeps until its command ends or its walltime comes (no polling): it enforces
    /// its own walltime (`--walltime-ms`) on the whole group, and a quick command's end is
    /// recorded as soon as it ends.
    @Test func theRunnerEnforcesItsWalltimeAndRecordsAQuickEndAtOnce() throws {
        let h = try Harness()
        func runner(_ key: String, walltime: Int?, _ argv: [String]) throws -> (status: Int32, result: [String: Any]) {
            var arguments = ["_run-attempt", "--owner=st-runner", "--scheduler=hpc", "--pool=p", "--key=\(key)", "--attempt=1",
                             "--stdout=\(h.directory)/\(key).out", "--stderr=\(h.directory)/\(key).err", "--result=\(h.directory)/\(key).json"]
            if let walltime { arguments.append("--walltime-ms=\(walltime)") }
            let ran = try h.run(arguments + ["--"] + argv)
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(h.directory)/\(key).json"))
            return (ran.status, try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
        }
        let started = Date()
        let slow = try runner("slow", walltime: 400, ["sh", "-c", "sleep 30 & sleep 30; wait"])
        let took = Date().timeIntervalSince(started)
        #expect(slow.result["timedOut"] as? Bool == true, "\(slow.result)")
        #expect(took < 10, "stopped at its walltime, not after the command's 30 s (\(took) s)")
        let quick = try runner("quick", walltime: nil, ["true"])
        #expect(quick.status == 0)
        let elapsed = (quick.result["endedAt"] as? Int ?? 0) - (quick.result["startedAt"] as? Int ?? 0)
        #expect(elapsed < 15, "a command of a few milliseconds is recorded as it ends, not at a poll (\(elapsed) ms)")
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
