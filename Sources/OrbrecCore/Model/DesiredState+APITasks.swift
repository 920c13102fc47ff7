extension DesiredState {
    /// The pools whose tasks come from the API, by name.
    public var apiPools: [String] { pools.values.filter(\.isAPI).map(\.name).sorted() }

    /// The desired state with the tasks programs posted: each api pool's tasks are the journal's,
    /// in the order they were posted, and those someone asked to cancel are in `cancelling`. A
    /// task of a pool that is no longer an api pool (or no longer declared) adds nothing: the
    /// planner cancels it as it cancels an item removed from a file.
    public func applying(apiTasks: [APITask]) -> DesiredState {
        var state = self
        let byPool = Dictionary(grouping: apiTasks, by: \.pool)
        for name in apiPools {
            let tasks = (byPool[name] ?? []).sorted { $0.sequence < $1.sequence }
            state.pools[name]?.source = .api(tasks.map(\.definition))
            for task in tasks where task.cancelRequestedAt != nil { state.cancelling.insert(task.id) }
        }
        return state
    }
}
