import Foundation
import Testing

/// Task pools on the real single-node Slurm reached through the real sshd that scripts/test.sh
/// starts (scripts/lib/sshd.sh), through the binary: every Slurm command over SSH, orbrec's
/// runner installed on the "cluster" by orbrec, outputs kept and read there.
@Suite(.serialized) struct SlurmSSHEndToEndTests {
    struct SSHD {
        var host: String, port: String, user: String, key: String, knownHosts: String, wrongKnownHosts: String, directory: String

        func stop() throws { try run(directory + "/stop.sh") }
        func start() throws { try run(directory + "/start.sh") }

        private func run(_ script: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: script)
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "\(script) failed")
        }
    }

    static func sshd() throws -> SSHD {
        let environment = ProcessInfo.processInfo.environment
        try #require(environment["ORBREC_TEST_SLURM"] == "1" && environment["ORBREC_TEST_SSH_HOST"] != nil,
                     "no Slurm or sshd: run the tests with scripts/test.sh, which starts both")
        return SSHD(host: environment["ORBREC_TEST_SSH_HOST"] ?? "", port: environment["ORBREC_TEST_SSH_PORT"] ?? "",
                    user: environment["ORBREC_TEST_SSH_USER"] ?? "", key: environment["ORBREC_TEST_SSH_KEY"] ?? "",
                    knownHosts: environment["ORBREC_TEST_SSH_KNOWN_HOSTS"] ?? "",
                    wrongKnownHosts: environment["ORBREC_TEST_SSH_WRONG_KNOWN_HOSTS"] ?? "",
                    directory: environment["ORBREC_TEST_SSHD_DIR"] ?? "")
    }

    /// A slurm scheduler over SSH; its attempts' files in `<harness>/cluster`, apart from the
    /// state's own directory, so that finding them proves they came over SSH.
    static func scheduler(_ h: Harness, _ sshd: SSHD, name: String = "hpc", knownHosts: String? = nil) -> String {
        """
        apiVersion: orbrec/v1
        kind: Scheduler
        metadata: {name: \(name)}
        spec:
          type: slurm
          partition: debug
          ssh:
            host: \(sshd.host)
            port: \(sshd.port)
            user: \(sshd.user)
            identityFile: \(sshd.key)
            knownHostsFile: \(knownHosts ?? sshd.knownHosts)
            remoteDirectory: \(h.directory)/cluster
        """
    }

    static func pool(items: [String], command: String, parallelism: Int = 2, maxAttempts: Int = 2) -> String {
        """
        apiVersion: orbrec/v1
        kind: TaskPool
        metadata: {name: sims}
        spec:
          scheduler: hpc
          items: [\(items.joined(separator: ", "))]
          command: \(command)
          parallelism: \(parallelism)
          retry: {maxAttempts: \(maxAttempts), initialBackoff: 1s, maxBackoff: 2s}
        """
    }

    static func sha256(_ h: Harness, _ path: String) throws -> String {
        String(try h.runProgram("/usr/bin/env", ["sha256sum", "--", path]).stdout.prefix(64))
    }

    @Test func aPoolRunsOverSSHWithARetryADeadLetterAndItsLogsFetched() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        try h.write("slurm.yaml", Self.scheduler(h, sshd) + "\n---\n" + Self.pool(
            items: ["ok", "bad", #""it's $(odd)""#],
            command: #"["sh", "-c", "echo out-\"$1\"; echo err-\"$1\" >&2; test \"$1\" != bad || exit 3", "sh", "${item}"]"#))
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "120s")
        #expect(apply.status == 1, "dead letters fail --wait: \(apply.stdout)\(apply.stderr)")
        let tasks = try h.allTasks()
        let states = Dictionary(uniqueKeysWithValues: tasks.map { ($0["key"] as? String ?? "", $0["state"] as? String ?? "") })
        #expect(states == ["ok": "completed", "it's $(odd)": "completed", "bad": "dead_letter"], "\(states)")
        let bad = try #require(tasks.first { $0["key"] as? String == "bad" })
        #expect(bad["attempts_consumed"] as? Int == 2)
        #expect((bad["attempts"] as? [[String: Any]] ?? []).allSatisfy { $0["exit_code"] as? Int == 3 }, "\(bad)")
        let ids = Harness.jobIDs(bad)
        #expect(ids.count == 2 && ids[0].contains("_") && !ids[1].contains("_"), "first in the array, the retry on its own: \(ids)")
        // The attempts' files are on the cluster, not beside the state; logs come over SSH.
        #expect(FileManager.default.fileExists(atPath: h.directory + "/cluster/sims/ok/1.out"))
        #expect(!FileManager.default.fileExists(atPath: h.dataDirectory + "/tasks/sims/ok/1.out"))
        let logs = try h.orbrec("tasks", "logs", "sims", "it's $(odd)")
        #expect(logs.status == 0 && logs.stdout == "out-it's $(odd)\n", "\(logs.stdout)\(logs.stderr)")
        #expect(try h.orbrec("tasks", "logs", "sims", "bad", "--stderr", "--attempt", "2").stdout == "err-bad\n")
        // orbrec installed its own runner on the cluster: this very binary, by checksum.
        let runners = try FileManager.default.contentsOfDirectory(atPath: NSHomeDirectory() + "/.orbrec").filter { $0.hasPrefix("runner-") }
        let installed = try runners.map { try Self.sha256(h, NSHomeDirectory() + "/.orbrec/" + $0) }
        #expect(installed.contains(try Self.sha256(h, Harness.binary)), "\(runners)")
        let status = try h.orbrec("status")
        #expect(status.stdout.contains("Scheduler/hpc") && status.stdout.contains("reachable"), "\(status.stdout)")
        // With the cluster out of reach, logs say so: they are fetched, not read from here.
        try sshd.stop()
        defer { try? sshd.start() }
        let unreachable = try h.orbrec("tasks", "logs", "sims", "ok")
        #expect(unreachable.status == 1 && unreachable.stderr.contains("ssh-no-connection"), "\(unreachable.stderr)")
    }

    /// Every command of a pool's apply goes over one SSH connection (ControlMaster): sshd
    /// authenticates once, and runs many commands on it.
    @Test func aPoolsCommandsShareOneConnection() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        try h.write("slurm.yaml", Self.scheduler(h, sshd) + "\n---\n" + Self.pool(items: ["a", "b", "c"], command: #"["true"]"#))
        let log = sshd.directory + "/sshd.log"
        func count(_ text: String) throws -> Int {
            Int(try h.runProgram("/usr/bin/env", ["grep", "-c", "-a", "--", text, log]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let (authenticated, commands) = (try count("Accepted publickey"), try count("Starting session: command"))
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let ran = try count("Starting session: command") - commands
        #expect(ran >= 3, "the apply ran \(ran) command(s) over SSH")
        #expect(try count("Accepted publickey") - authenticated == 1, "one connection for \(ran) commands")
    }

    @Test func sshdStoppedMidPoolIsReportedUnreachableAndThePoolFinishesOnceItIsBack() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        let items = (1...6).map { "t\($0)" }
        try h.write("slurm.yaml", Self.scheduler(h, sshd) + "\n---\n" + Self.pool(items: items, command: #"["sh", "-c", "sleep 3"]"#))
        let apply = try h.startOrbrec("apply", "--auto-approve", "--wait", "--timeout", "240s")
        // Stopped while the first array runs, before the pool is done.
        var running = false
        for _ in 0..<120 where !running {
            running = try h.allTasks().contains { $0["state"] as? String == "running" && !Harness.jobIDs($0).isEmpty }
            if !running { usleep(250_000) }
        }
        #expect(running)
        try sshd.stop()
        defer { try? sshd.start() }
        var unreachable = ""
        for _ in 0..<40 where !unreachable.contains("ssh-no-connection") {
            unreachable = try h.orbrec("status", "-o", "json").stdout
            if !unreachable.contains("ssh-no-connection") { usleep(250_000) }
        }
        #expect(unreachable.contains("unreachable") && unreachable.contains("ssh-no-connection") && unreachable.contains("cannot connect"),
                "\(unreachable)")
        // Down for longer than the attempts take: they end meanwhile, unseen.
        sleep(8)
        try sshd.start()
        // Back: the next look sees the cluster again.
        let result = try apply.wait(timeout: 240)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let tasks = try h.allTasks()
        #expect(tasks.count == 6 && tasks.allSatisfy { $0["state"] as? String == "completed" }, "\(tasks)")
        // Nothing lost, nothing twice: each task ran in exactly one Slurm job (array task or
        // single job), and every job of this state is one orbrec recorded.
        let owner = try h.stateID()
        let jobs = try h.slurmJobs(arrayTasks: true, owner: owner)
        let recorded = tasks.flatMap(Harness.jobIDs)
        #expect(jobs.count == 6 && Set(recorded).count == recorded.count, "jobs \(jobs.map(\.id)), recorded \(recorded)")
        #expect(Set(jobs.map(\.id)) == Set(recorded), "every Slurm job is one orbrec knows: \(jobs.map(\.id)) vs \(recorded)")
    }

    @Test func aChangedHostKeyIsRefusedWithAPlainMessage() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        try h.write("slurm.yaml", Self.scheduler(h, sshd, knownHosts: sshd.wrongKnownHosts) + "\n---\n"
                    + Self.pool(items: ["a"], command: #"["true"]"#))
        let plan = try h.orbrec("plan")
        #expect(plan.status == 1, "\(plan.stdout)\(plan.stderr)")
        let said = plan.stdout + plan.stderr
        #expect(said.contains("ssh-host-key-changed") && said.contains("does not match the one in \(sshd.wrongKnownHosts)"), "\(said)")
        let apply = try h.orbrec("apply", "--auto-approve")
        #expect(apply.status == 1)
        #expect(try h.slurmJobs(arrayTasks: true, owner: try h.stateID()).isEmpty, "nothing submitted past a refused host key")
        let status = try h.orbrec("status", "-o", "json")
        #expect(status.stdout.contains("unreachable") && status.stdout.contains("ssh-host-key-changed"), "\(status.stdout)")
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// examples/clusters as written, but cluster-b's login node is the test sshd: one workflow
    /// whose pools run on two schedulers (the local Slurm directly, and over SSH) at once, and a
    /// step that waits for both.
    @Test func theClustersExampleRunsOneWorkflowOnBothSchedulers() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        let example = Self.repository + "/examples/clusters"
        for file in ["schedulers.yaml", "workflow.yaml"] {
            try h.write(file, try String(contentsOfFile: example + "/" + file, encoding: .utf8))
        }
        // The example's own cluster-b.yaml must stay valid as written.
        #expect(try String(contentsOfFile: example + "/cluster-b.yaml", encoding: .utf8).contains("name: cluster-b"))
        try h.write("cluster-b.yaml", Self.scheduler(h, sshd, name: "cluster-b"))
        let apply = try h.orbrec("apply", "--auto-approve", "--wait", "--timeout", "180s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let result = try h.orbrec("workflows", "runs", "two-clusters", "-o", "json")
        let runs = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        let run = try #require(runs.first, "\(result.stdout)\(result.stderr)")
        #expect(runs.count == 1 && run["state"] as? String == "succeeded", "\(run)")
        let steps = Dictionary(uniqueKeysWithValues: (run["steps"] as? [[String: Any]] ?? []).map {
            ($0["name"] as? String ?? "", $0["state"] as? String ?? "")
        })
        #expect(steps == ["simulate-a": "succeeded", "simulate-b": "succeeded", "gather": "succeeded"], "\(steps)")
        // Both clusters ran their share: cluster-b's outputs are on "its" side only (fetched over
        // SSH), cluster-a's beside the state. Every job is in the one Slurm, by this state's comment.
        let runID = run["run_id"] as? String ?? ""
        let owner = try h.stateID()
        let jobs = try h.slurmJobs(arrayTasks: true, owner: owner)
        #expect(jobs.count == 7, "3 + 3 simulations and the gather step: \(jobs)")
        let remote = try FileManager.default.subpathsOfDirectory(atPath: h.directory + "/cluster").filter { $0.hasSuffix("/1.out") }
        #expect(remote.count == 3, "cluster-b's three outputs: \(remote)")
        let local = (try? FileManager.default.subpathsOfDirectory(atPath: h.dataDirectory + "/tasks")) ?? []
        #expect(local.filter { $0.hasSuffix("/1.out") }.count == 4, "cluster-a's three and the gather step's: \(local)")
        #expect(!runID.isEmpty)
    }

    /// The connection drops after sbatch was sent: ssh exits 255 as when the login node goes
    /// away mid-command, though the job was made. A wrapper in front of the real ssh (first in
    /// PATH) lets the first sbatch run through the real sshd, then loses its answer. The job
    /// must be found by its comment and adopted: never submitted again, never lost.
    @Test func aSubmissionWhoseAnswerIsLostIsFoundByItsCommentNotSentTwice() throws {
        let sshd = try Self.sshd()
        let h = try Harness()
        let bin = h.directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let marker = h.directory + "/sbatch-answer-lost"
        try """
            #!/bin/sh
            # The first ssh that runs sbatch: run it for real, then lose the answer.
            case "$*" in
              *sbatch*)
                if [ ! -e \(marker) ]; then
                  : > \(marker)
                  /usr/bin/ssh "$@" > /dev/null 2>&1
                  echo "Connection to 127.0.0.1 closed by remote host." >&2
                  exit 255
                fi ;;
            esac
            exec /usr/bin/ssh "$@"
            """.write(toFile: bin + "/ssh", atomically: true, encoding: .utf8)
        chmod(bin + "/ssh", 0o755)
        let items = ["a", "b", "c", "d"]
        try h.write("slurm.yaml", Self.scheduler(h, sshd) + "\n---\n" + Self.pool(items: items, command: #"["sh", "-c", "sleep 1"]"#))
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let apply = try h.orbrec(["apply", "--auto-approve", "--wait", "--timeout", "120s"], environment: ["PATH": path])
        #expect(FileManager.default.fileExists(atPath: marker), "the first sbatch's answer was lost")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let tasks = try h.allTasks()
        #expect(tasks.count == 4 && tasks.allSatisfy { $0["state"] as? String == "completed" }, "\(tasks)")
        #expect(tasks.allSatisfy { ($0["attempts_started"] as? Int) == 1 }, "adopted by its comment, not resubmitted: \(tasks)")
        let jobs = try h.slurmJobs(arrayTasks: true, owner: try h.stateID())
        #expect(jobs.count == 4, "one Slurm job per task: \(jobs)")
        #expect(Set(jobs.map(\.comment)).count == 1 && jobs[0].comment.contains(":@"), "the one array sbatch made: \(jobs)")
    }
}
