extension DesiredState {
    /// The desired state `status` reports on: as `apply` sees it, with what running runs add
    /// (their fleet counts and pools), and still with the pools workflow steps refer to,
    /// which `applying` leaves out since they do not run on their own: they are declared, so
    /// they get a row, as patterns.
    public func forStatus(_ runs: [WorkflowRun]) -> DesiredState {
        var state = applying(runs)
        for name in workflowPools { state.pools[name] = pools[name] }
        return state
    }
}
