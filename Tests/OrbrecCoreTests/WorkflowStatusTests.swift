import OrbrecCore
import OrbrecTestSupport
import Testing

/// Workflows in `status`: a row per workflow, the pools steps refer to shown as patterns, and
/// a configuration whose runs ended counted as converged.
@Suite("Workflow status")
struct WorkflowStatusTests {
    static let at = Instant(millisecondsSinceEpoch: 1_000_000)

    static func desired(schedule: CronSchedule? = nil, onChange: Bool = true) throws -> DesiredState {
        let sims = TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cpu", command: [try CommandTemplate(parsing: "echo")],
                                source: .items(["1", "2", "3"]))
        let nightly = WorkflowSpec(metadata: Metadata(name: "nightly"), steps: [
            WorkflowSpec.Step(name: "capacity", work: .provision(fleet: "workers", count: 2, waitReady: true)),
            WorkflowSpec.Step(name: "simulate", needs: ["capacity"], work: .taskPool(ref: "sims")),
            WorkflowSpec.Step(name: "release", needs: ["simulate"], work: .provision(fleet: "workers", count: 0, waitReady: false), always: true),
        ], trigger: WorkflowSpec.Trigger(onChange: onChange, schedule: schedule))
        return DesiredState(providers: [Fixtures.provider()], templates: [Fixtures.template()], fleets: [Fixtures.fleet(count: 0)],
                            schedulers: [SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local, slots: 4)], pools: [sims],
                            workflows: [nightly], revision: "test")
    }

    static func run(_ id: String, _ state: WorkflowRun.State, steps: [(String, WorkflowRun.Step.State)], at offset: Int64 = 0,
                    message: String = "") -> WorkflowRun {
        WorkflowRun(id: id, workflow: "nightly", specHash: "h", trigger: .change, state: state,
                    createdAt: Instant(millisecondsSinceEpoch: at.millisecondsSinceEpoch + offset),
                    steps: steps.map { WorkflowRun.Step(name: $0.0, state: $0.1, message: $0.1 == .failed ? message : "") })
    }

    static func report(_ desired: DesiredState, runs: [WorkflowRun]?, due: [String: String] = [:]) throws -> StatusReport {
        let effective = desired.applying(runs ?? [])
        let plan = try Planner().plan(PlanInput(desired: effective, observed: ObservedState(), recorded: []))
        return StatusReport(desired: desired.forStatus(runs ?? []), machines: [], plan: plan, unreachableProviders: [:], workflowRuns: runs, dueWorkflows: due)
    }

    static func row(_ report: StatusReport, _ id: ResourceID) throws -> StatusReport.Row {
        try #require(report.rows.first { $0.id == id })
    }

    @Test func aRunThatSucceededIsConvergedAndItsPatternPoolInSync() throws {
        let done = Self.run("wr-1", .succeeded, steps: [("capacity", .succeeded), ("simulate", .succeeded), ("release", .succeeded)])
        let report = try Self.report(try Self.desired(), runs: [done])
        let workflow = try Self.row(report, ResourceID(.workflow, "nightly"))
        #expect(workflow.sync == .synced)
        #expect(workflow.health == .healthy)
        #expect(workflow.desired == "onChange")
        #expect(workflow.observed == "wr-1 succeeded (3/3 steps)")
        let pattern = try Self.row(report, ResourceID(.taskPool, "sims"))
        #expect(pattern.sync == .synced && pattern.health == .healthy)
        #expect(pattern.observed == "pattern")
        #expect(pattern.message == "run by Workflow/nightly as a step")
        #expect(report.isConverged)
    }

    @Test func aRunningRunIsProgressingWithItsStepsPoolAndFleetCount() throws {
        let running = Self.run("wr-2", .running, steps: [("capacity", .succeeded), ("simulate", .running), ("release", .pending)])
        let report = try Self.report(try Self.desired(), runs: [running])
        let workflow = try Self.row(report, ResourceID(.workflow, "nightly"))
        #expect(workflow.sync == .outOfSync)
        #expect(workflow.health == .progressing)
        #expect(workflow.observed == "wr-2 running (1/3 steps)")
        #expect(workflow.message == "wr-2 running: simulate")
        // The run's own pool is a row of its own, and the fleet has the step's count.
        #expect(report.rows.contains { $0.id == ResourceID(.taskPool, "wr-2-simulate") && $0.health == .progressing })
        #expect(try Self.row(report, ResourceID(.fleet, "workers")).desired == "2")
        #expect(!report.isConverged)
    }

    @Test func aFailedRunEndedSoItIsConvergedButDegraded() throws {
        let failed = Self.run("wr-3", .failed, steps: [("capacity", .succeeded), ("simulate", .failed), ("release", .succeeded)],
                              message: "1 of 3 task(s) did not complete")
        let older = Self.run("wr-0", .succeeded, steps: [("capacity", .succeeded), ("simulate", .succeeded), ("release", .succeeded)],
                             at: -1000)
        let report = try Self.report(try Self.desired(), runs: [older, failed])
        let workflow = try Self.row(report, ResourceID(.workflow, "nightly"))
        #expect(workflow.sync == .synced)
        #expect(workflow.health == .degraded)
        #expect(workflow.observed == "wr-3 failed (3/3 steps)", "the newest run")
        #expect(workflow.message == "last run wr-3 failed: simulate (1 of 3 task(s) did not complete)")
        #expect(report.isConverged)
    }

    @Test func aDueRunIsOutOfSyncAndAManualWorkflowWithoutRunsIsInSync() throws {
        let due = try Self.report(try Self.desired(), runs: [], due: ["nightly": "generation 1234abcd has not run"])
        let row = try Self.row(due, ResourceID(.workflow, "nightly"))
        #expect(row.sync == .outOfSync)
        #expect(row.observed == "no runs")
        #expect(row.message == "a run is due: generation 1234abcd has not run")
        #expect(!due.isConverged)
        let manual = try Self.report(try Self.desired(onChange: false), runs: [])
        let idle = try Self.row(manual, ResourceID(.workflow, "nightly"))
        #expect(idle.desired == "manual")
        #expect(idle.sync == .synced && idle.health == .healthy)
        #expect(manual.isConverged)
        let scheduled = try Self.report(try Self.desired(schedule: try CronSchedule("0 2 * * *")), runs: [])
        #expect(try Self.row(scheduled, ResourceID(.workflow, "nightly")).desired == "onChange, schedule 0 2 * * *")
    }

    @Test func withoutRunsReadWorkflowsHaveNoRowButPatternsStillDoNotHoldConvergence() throws {
        let report = try Self.report(try Self.desired(), runs: nil)
        #expect(!report.rows.contains { $0.id.kind == .workflow })
        #expect(try Self.row(report, ResourceID(.taskPool, "sims")).sync == .synced)
        #expect(report.isConverged)
    }
}

@Suite("Resource graph")
struct ResourceGraphTests {
    @Test func dotDrawsProviderTemplateFleetSchedulerPoolAndTheWorkflowsEdges() throws {
        let graph = ResourceGraph(try WorkflowStatusTests.desired())
        #expect(graph.dot() == """
            digraph "resources" {
              rankdir=LR;
              node [shape=box, style=rounded];
              "Provider/here" [label="Provider/here\\nlocal"];
              "Scheduler/cpu" [label="Scheduler/cpu\\nlocal"];
              "Template/worker" [label="Template/worker"];
              "Fleet/workers" [label="Fleet/workers\\ncount 0"];
              "TaskPool/sims" [label="TaskPool/sims\\n3 task(s)"];
              "Workflow/nightly" [label="Workflow/nightly\\n3 step(s)"];
              "Provider/here" -> "Template/worker";
              "Scheduler/cpu" -> "TaskPool/sims";
              "Template/worker" -> "Fleet/workers";
              "Workflow/nightly" -> "Fleet/workers" [style=dashed, label="capacity"];
              "Workflow/nightly" -> "Fleet/workers" [style=dashed, label="release"];
              "Workflow/nightly" -> "TaskPool/sims" [style=dashed, label="simulate"];
            }
            """)
    }

    @Test func mermaidUsesSafeIdentifiersAndDottedWorkflowEdges() throws {
        let mermaid = ResourceGraph(try WorkflowStatusTests.desired()).mermaid()
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.contains("  provider_here[\"Provider/here: local\"]"))
        #expect(mermaid.contains("  provider_here --> template_worker"))
        #expect(mermaid.contains("  template_worker --> fleet_workers"))
        #expect(mermaid.contains("  scheduler_cpu --> taskpool_sims"))
        #expect(mermaid.contains("  workflow_nightly -. simulate .-> taskpool_sims"))
    }
}
