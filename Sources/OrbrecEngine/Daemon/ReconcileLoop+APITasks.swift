public import OrbrecCore
public import OrbrecStore

/// Tasks posted to the daemon's api pools (its API and MCP): journaled against the
/// configuration in force, then started by a pass that begins at once.
extension ReconcileLoop {
    /// Journals a task (as `Reconciler.createTask`) and has the loop start it now.
    public func createTask(pool: String, key: String, args: [String: String], idempotencyKey: String?, actor: String) async throws
        -> Reconciler.TaskCreation {
        let configured = try taskConfiguration()
        let answer = try await reconciler.createTask(pool: pool, key: key, args: args, idempotencyKey: idempotencyKey, actor: actor,
                                                     configured: configured)
        if answer.created { tasksJournaled(pool: pool) }
        return answer
    }

    /// Journals a cancel request (as `Reconciler.cancelTask`) and has the loop carry it out now.
    public func cancelTask(pool: String, key: String, actor: String) async throws -> (entry: APITaskEntry, cancelling: Bool) {
        let configured = try taskConfiguration()
        let answer = try await reconciler.cancelTask(pool: pool, key: key, actor: actor, configured: configured)
        if answer.cancelling { tasksJournaled(pool: pool) }
        return answer
    }

    public func apiTask(pool: String, key: String) async throws -> APITaskEntry {
        try await reconciler.apiTask(pool: pool, key: key, configured: try taskConfiguration(allowStopping: true))
    }

    public func apiTasks(pool: String, state: TaskState?, after: Int64?, limit: Int) async throws -> [APITaskEntry] {
        try await reconciler.apiTasks(pool: pool, state: state, after: after, limit: limit, configured: try taskConfiguration(allowStopping: true))
    }

    /// Has the loop look at `pool` at once: the flow in progress knows only the tasks of the
    /// last pass, so a pass makes the next one with the tasks journaled since.
    public func tasksJournaled(pool: String) {
        guard desired != nil, !isStopping else { return }
        queue.add(ResourceID(.taskPool, pool), .change, now: schedule.now())
        wakeup.signal()
    }

    private func taskConfiguration(allowStopping: Bool = false) throws -> DesiredState {
        guard let desired else { throw TaskRequestRefused(.notReady, "no valid configuration is loaded; see /readyz") }
        if isStopping && !allowStopping { throw TaskRequestRefused(.notReady, "the daemon is stopping") }
        return desired
    }
}
