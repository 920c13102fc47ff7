public import OrbrecCore
internal import OrbrecStore

/// Workflow runs started and cancelled through the daemon (its API and MCP): journaled against
/// the configuration in force, then moved by the next pass, which starts at once.
extension ReconcileLoop {
    /// Journals a manual run (as `Reconciler.startWorkflowRun`) and has the loop start it now.
    public func startWorkflowRun(workflow: String, actor: String, idempotencyKey: String?) async throws -> WorkflowRunStart {
        let configured = try workflowsInForce()
        let start = try await reconciler.startWorkflowRun(workflow: workflow, configured: configured, actor: actor, idempotencyKey: idempotencyKey)
        if start.created { await workflowRunsChanged(workflow: workflow, cancelled: start.replaced) }
        return start
    }

    /// Cancels a running run (as `Reconciler.cancelWorkflowRun`) and has the loop cancel its
    /// tasks and give back what its steps set now.
    public func cancelWorkflowRun(id: String, actor: String) async throws -> WorkflowRun {
        let run = try await reconciler.cancelWorkflowRun(id: id, actor: actor)
        await workflowRunsChanged(workflow: run.workflow, cancelled: [run.id])
        return run
    }

    /// The workflows in force with how their runs stand.
    public func workflowSummaries() async throws -> [WorkflowSummary] {
        try await reconciler.workflowSummaries(try workflowsInForce(allowStopping: true))
    }

    public func workflowSummary(_ name: String) async throws -> WorkflowSummary {
        try await reconciler.workflowSummary(name, configured: try workflowsInForce(allowStopping: true))
    }

    public func workflowRuns(workflow: String, limit: Int?) async throws -> [WorkflowRun] {
        try await reconciler.workflowRuns(workflow: workflow, configured: try workflowsInForce(allowStopping: true), limit: limit)
    }

    public nonisolated func workflowRun(id: String, workflow: String?) async throws -> WorkflowRunReport {
        try await reconciler.workflowRun(id: id, workflow: workflow)
    }

    /// Has the loop look at a workflow at once, with what the `cancelled` runs held (their
    /// pools, and the fleets their provision steps set): a run journaled or cancelled by another
    /// process of this daemon (MCP over HTTP) moves without waiting for the next periodic look.
    public func workflowRunsChanged(workflow: String, cancelled: [String]) async {
        var runs: [WorkflowRun] = []
        for id in cancelled {
            if let (run, _) = try? await store.workflowRun(id: id) { runs.append(run) }
        }
        guard let desired, !isStopping else { return }
        let now = schedule.now()
        queue.add(ResourceID(.workflow, workflow), .change, now: now)
        for run in runs {
            for step in run.steps where step.startedAt != nil { queue.add(ResourceID(.taskPool, run.poolName(of: step.name)), .change, now: now) }
        }
        if !cancelled.isEmpty {
            for step in desired.workflows[workflow]?.steps ?? [] {
                if case .provision(let fleet, _, _) = step.work { queue.add(ResourceID(.fleet, fleet), .change, now: now) }
            }
        }
        wakeup.signal()
    }

    private func workflowsInForce(allowStopping: Bool = false) throws -> DesiredState {
        guard let desired else { throw WorkflowRunRefused(.notReady, "no valid configuration is loaded; see /readyz") }
        if isStopping && !allowStopping { throw WorkflowRunRefused(.notReady, "the daemon is stopping") }
        return desired
    }
}
