public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Sends the named tasks of `pool` (or, with `allDeadLetter`, every dead-lettered one) back
    /// to pending, journaled, and answers their keys: `orbrec tasks requeue`, MCP's
    /// `requeue_tasks` and `POST /api/v1/pools/{pool}/requeue` all come here. Only dead-lettered
    /// or cancelled tasks can be requeued: if any named task is neither, none is. `declared`:
    /// whether the configuration has the pool (a pool the state knows needs not be declared).
    /// Call under the state lock. Refusals are `TaskRequestRefused`.
    public func requeueTasks(pool: String, keys: [String], allDeadLetter: Bool, declared: Bool, actor: String) async throws -> [String] {
        guard !keys.isEmpty || allDeadLetter else { throw TaskRequestRefused(.badRequest, "name task keys or ask for all_dead_letter") }
        let tasks = try await store.tasks(pool: pool).map(\.status)
        if tasks.isEmpty, !declared {
            throw TaskRequestRefused(.unknownPool, "no task pool \(pool) in the configuration or the state")
        }
        let chosen = allDeadLetter ? tasks.filter { $0.state == .deadLetter } : try keys.map { key in
            guard let task = tasks.first(where: { $0.key == key }) else { throw TaskRequestRefused(.unknownTask, "no task \(pool)/\(key)") }
            return task
        }
        let refused = chosen.filter { TaskLifecycle.requeue($0) == nil }.map { "\($0.key) (\($0.state.rawValue))" }
        guard refused.isEmpty else {
            throw TaskRequestRefused(.notRequeueable,
                                     "only dead-lettered or cancelled tasks can be requeued: \(refused.joined(separator: ", ")); nothing was requeued")
        }
        let requeued = chosen.compactMap(TaskLifecycle.requeue)
        if !requeued.isEmpty { try await store.setTasks(requeued, cause: "requeued by \(actor)", at: clock.now()) }
        return requeued.map(\.key)
    }
}
