import Foundation
import OrbrecTestSupport
import Testing

/// Workflow runs with the real local provider and scheduler: a run provisions a fleet,
/// runs a pool and a job on it and returns the fleet; a failure still runs the cleanup
/// step; a run killed mid-way resumes and no completed step runs again.
@Suite("Workflow runs end to end", .serialized)
struct WorkflowRunEndToEndTests {
    /// The example's shape, with tasks that append to a log so every execution is counted.
    static func configuration(_ harness: Harness, failItem: Int? = nil) -> String {
        let fail = failItem.map { "test ${item} -ne \($0) || exit 3; " } ?? ""
        return """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: sleeper}
            spec: {provider: here, command: ["sleep", "300"], stopTimeout: 2s}
            ---
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers}
            spec: {template: sleeper, count: 0}
            ---
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local, slots: 4}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: sims}
            spec:
              scheduler: cpu
              range: {from: 1, to: 8}
              command: ["sh", "-c", "echo sim ${item} >> \(harness.directory)/runs.log; \(fail)sleep 0.3"]
              parallelism: 4
              retry: {maxAttempts: 1}
            ---
            apiVersion: orbrec/v1
            kind: Workflow
            metadata: {name: nightly}
            spec:
              trigger: {onChange: true}
              steps:
                - name: capacity
                  provision: {fleet: workers, count: 2, waitReady: true}
                - name: simulate
                  needs: [capacity]
                  taskPool: {ref: sims}
                - name: report
                  needs: [simulate]
                  run: {scheduler: cpu, command: ["sh", "-c", "echo report ${run} >> \(harness.directory)/runs.log"]}
                - name: release
                  needs: [report]
                  always: true
                  provision: {fleet: workers, count: 0}
            """
    }

    static func runs(_ harness: Harness) throws -> [[String: Any]] {
        let result = try harness.orbrec("workflows", "runs", "nightly", "-o", "json")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    static func steps(_ run: [String: Any]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (run["steps"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0["state"] as? String ?? "") })
    }

    static func logLines(_ harness: Harness) -> [String] {
        ((try? String(contentsOfFile: harness.directory + "/runs.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aRunProvisionsRunsAndReleases(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        let apply = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("of Workflow/nightly succeeded"), "\(apply.stdout)")
        let runs = try Self.runs(harness)
        #expect(runs.count == 1)
        let run = try #require(runs.first)
        #expect(run["state"] as? String == "succeeded")
        #expect(run["trigger"] as? String == "change")
        #expect(Self.steps(run) == ["capacity": "succeeded", "simulate": "succeeded", "report": "succeeded", "release": "succeeded"])
        let lines = Self.logLines(harness)
        #expect(lines.filter { $0.hasPrefix("sim ") }.sorted() == (1...8).map { "sim \($0)" }.sorted(), "each task exactly once")
        #expect(lines.filter { $0.hasPrefix("report ") } == ["report \(run["run_id"] as? String ?? "")"])
        #expect(harness.machineProcesses(stateID: try harness.stateID()).isEmpty, "the fleet was returned")
        // The same generation does not run again; `workflows start` runs it on demand.
        let again = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "60s")
        #expect(again.status == 0)
        #expect(try Self.runs(harness).count == 1)
        let show = try harness.orbrec("workflows", "show", run["run_id"] as? String ?? "")
        #expect(show.stdout.contains("capacity") && show.stdout.contains("succeeded"), "\(show.stdout)")
        #expect(show.stdout.contains("TaskPool/\(run["run_id"] as? String ?? "")-simulate: 8/8 completed"), "\(show.stdout)")
        // The requests each provision step caused, as journaled with its actions.
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try harness.orbrec("workflows", "show", run["run_id"] as? String ?? "",
                                                                                                 "-o", "json").stdout.utf8)) as? [String: Any])
        let shownSteps = Dictionary(uniqueKeysWithValues: (shown["steps"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "", $0) })
        // The same document as GET /api/v1/workflows/{name}/runs/{id}: each step's `caused`.
        func caused(_ step: String) -> [String: Any] { shownSteps[step]?["caused"] as? [String: Any] ?? [:] }
        func requests(_ step: String) -> [String] { (caused(step)["requests"] as? [[String: Any]] ?? []).compactMap { $0["request_id"] as? String } }
        #expect(shown["run_id"] as? String == run["run_id"] as? String)
        let provisioned = requests("capacity")
        let returned = requests("release")
        #expect(!provisioned.isEmpty && provisioned.allSatisfy { $0.hasPrefix("req-") }, "\(shownSteps)")
        #expect(!returned.isEmpty && returned.allSatisfy { $0.hasPrefix("ret-") }, "\(shownSteps)")
        #expect(caused("simulate")["pool"] as? String == "\(run["run_id"] as? String ?? "")-simulate")
        let start = try harness.orbrec("workflows", "start", "nightly")
        #expect(start.status == 0, "\(start.stderr)")
        #expect(try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s").status == 0)
        let both = try Self.runs(harness)
        #expect(both.count == 2 && both.allSatisfy { $0["state"] as? String == "succeeded" })
        #expect(Self.logLines(harness).filter { $0.hasPrefix("sim ") }.count == 16, "a new run has tasks of its own")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aFailingStepSkipsTheRestButTheCleanupRuns(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness, failItem: 3))
        let apply = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("failed: simulate (1 of 8 task(s) did not complete)"), "\(apply.stderr)")
        let run = try #require(try Self.runs(harness).first)
        #expect(run["state"] as? String == "failed")
        #expect(Self.steps(run) == ["capacity": "succeeded", "simulate": "failed", "report": "skipped", "release": "succeeded"])
        #expect(Self.logLines(harness).filter { $0.hasPrefix("report") }.isEmpty)
        #expect(harness.machineProcesses(stateID: try harness.stateID()).isEmpty, "the always step returned the fleet")
    }

    @Test(arguments: TestStateBackend.allCases)
    func aRunKilledMidWayResumesAndNoCompletedStepRunsAgain(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        // Killed right after the scheduler took the simulate step's first attempts.
        let killed = try harness.orbrec(["apply", "--auto-approve", "--wait", "--timeout", "90s"],
                                        environment: ["ORBREC_FAILPOINT": "action.after-provider:2"])
        #expect(killed.status == 137, "\(killed.stdout)\(killed.stderr)")
        let midway = try #require(try Self.runs(harness).first)
        #expect(Self.steps(midway)["capacity"] == "succeeded")
        #expect(Self.steps(midway)["simulate"] == "running")
        let rerun = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "90s")
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let runs = try Self.runs(harness)
        #expect(runs.count == 1, "the same run resumed")
        #expect(runs.first?["state"] as? String == "succeeded")
        let lines = Self.logLines(harness)
        #expect(lines.filter { $0.hasPrefix("sim ") }.sorted() == (1...8).map { "sim \($0)" }.sorted(), "every task exactly once: \(lines)")
        let history = try harness.orbrec("get", "actions", "-o", "json")
        let actions = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        let provisions = actions.filter { $0["verb"] as? String == "provision" && $0["resource"] as? String == "Fleet/workers" }
        #expect(provisions.count == 1, "capacity was not provisioned again")
    }

    @Test(arguments: TestStateBackend.allCases)
    func theDaemonRunsAWorkflowWhenItsSpecChanges(_ backend: TestStateBackend) async throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness))
        let daemon = try harness.startDaemon(["--task-interval", "200ms", "--observe-interval", "500ms"])
        defer { _ = try? daemon.stop() }
        let run = try await daemon.eventually("the run to succeed", timeout: 60) { () -> [String: Any]? in
            try Self.runs(harness).first { $0["state"] as? String == "succeeded" }
        }
        #expect(run["trigger"] as? String == "change")
        #expect(Self.steps(run).values.allSatisfy { $0 == "succeeded" })
        #expect(Self.logLines(harness).filter { $0.hasPrefix("sim ") }.count == 8)
        _ = try await daemon.eventually("the fleet returned") {
            harness.machineProcesses(stateID: try harness.stateID()).isEmpty ? true : nil
        }
        // Logged once the pass that ended the run is done (the store sees it a moment earlier).
        _ = try await daemon.eventually("the run's end in the log") { daemon.log.contains("of Workflow/nightly succeeded") ? true : nil }
        #expect(try daemon.stop().status == 0)
    }

    @Test(arguments: TestStateBackend.allCases)
    func aCancelledRunStopsItsTasksAndGivesBackItsCapacity(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness).replacingOccurrences(of: "sleep 0.3", with: "sleep 60"))
        // The first apply starts the run and provisions; the second submits the pool's tasks.
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let submitted = try harness.orbrec("apply", "--auto-approve")
        #expect(submitted.stdout.contains("submit TaskPool/wr-"), "\(submitted.stdout)")
        let run = try #require(try Self.runs(harness).first)
        let id = try #require(run["run_id"] as? String)
        #expect(Self.steps(run)["simulate"] == "running")
        let cancel = try harness.orbrec("workflows", "cancel", id)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        #expect(try harness.orbrec("workflows", "cancel", id).status == 1, "only a running run can be cancelled")
        let after = try harness.orbrec("apply", "--auto-approve")
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        #expect(after.stdout.contains("cancel TaskPool/\(id)-simulate"), "\(after.stdout)")
        let tasks = try harness.tasks("\(id)-simulate")
        #expect(!tasks.isEmpty && tasks.allSatisfy { ["cancelled", "pending"].contains($0["state"] as? String ?? "") || ($0["state"] as? String) == "cancelled" },
                "\(tasks.map { $0["state"] ?? "" })")
        #expect(harness.machineProcesses(stateID: try harness.stateID()).isEmpty, "the run's fleet count no longer applies")
        let final = try #require(try Self.runs(harness).first)
        #expect(final["state"] as? String == "cancelled")
        #expect(Self.steps(final)["report"] == "cancelled")
    }

    @Test(arguments: TestStateBackend.allCases)
    func removingTheLastWorkflowCancelsItsRunningRun(_ backend: TestStateBackend) throws {
        let harness = try Harness(backend: backend)
        try harness.write("orbrec.yaml", Self.configuration(harness).replacingOccurrences(of: "sleep 0.3", with: "sleep 60"))
        #expect(try harness.orbrec("apply", "--auto-approve").status == 0)
        let id = try #require(try Self.runs(harness).first?["run_id"] as? String)
        // The same configuration without its Workflow document: the run cannot go on.
        let withoutWorkflow = Self.configuration(harness).components(separatedBy: "---\napiVersion: orbrec/v1\nkind: Workflow")[0]
        try harness.write("orbrec.yaml", withoutWorkflow)
        let apply = try harness.orbrec("apply", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("cancelled \(id): Workflow/nightly was removed from the configuration"), "\(apply.stdout)")
        let run = try #require(try Self.runs(harness).first)
        #expect(run["state"] as? String == "cancelled")
        let wait = try harness.orbrec("apply", "--auto-approve", "--wait", "--timeout", "30s")
        #expect(wait.status == 0, "nothing is left waiting on the run: \(wait.stdout)\(wait.stderr)")
        #expect(harness.machineProcesses(stateID: try harness.stateID()).isEmpty, "its capacity was given back")
    }
}
