public import OrbrecCore
public import OrbrecEngine

extension PlanDocument {
    /// The workflow runs the next apply would start, and those held with why: `workflow_runs`
    /// of `plan --json` (and the saved plan) and of MCP's `plan_preview`, from the engine's
    /// `dueWorkflowRuns`.
    public static func workflowRuns(_ reconciler: Reconciler, configured: DesiredState) async throws -> [WorkflowStart] {
        var runs: [WorkflowStart] = []
        for (workflow, decision) in try await reconciler.dueWorkflowRuns(configured) {
            runs += decision.starts.map { WorkflowStart(workflow: workflow, trigger: $0.trigger.rawValue, reason: $0.reason, started: true) }
            runs += decision.held.map { WorkflowStart(workflow: workflow, trigger: nil, reason: $0, started: false) }
        }
        return runs
    }
}
