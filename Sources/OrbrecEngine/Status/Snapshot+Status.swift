public import OrbrecCore

extension Snapshot {
    /// The status of this snapshot against `plan`: the one place a `StatusReport` is made, so
    /// `status`, the API, MCP, apply's progress and the journal's conditions cannot disagree.
    /// Every observation the snapshot holds goes in (unreachable providers and schedulers, the
    /// machines, the tasks), the pools workflow steps refer to are shown as patterns, and with
    /// `workflowRuns` each workflow gets a row.
    public func statusReport(plan: Plan?, workflowRuns: [WorkflowRun]? = nil, dueWorkflows: [String: String] = [:]) -> StatusReport {
        var shown = desired
        for name in configured.workflowPools { shown.pools[name] = configured.pools[name] }
        return StatusReport(desired: shown, machines: machines, plan: plan, unreachableProviders: observed.unreachableProviders,
                            tasks: tasks, unreachableSchedulers: observed.unreachableSchedulers,
                            workflowRuns: workflowRuns, dueWorkflows: dueWorkflows)
    }
}
