public import OrbrecCore
internal import OrbrecStore

/// Dead letters sent back to pending from the daemon's API (its web console), as
/// `orbrec tasks requeue` does: under the state lock, then a pass over the pool at once.
extension ReconcileLoop {
    /// Requeues the named tasks of `pool` (or, with `allDeadLetter`, every dead-lettered one)
    /// and answers their keys. Only dead-lettered or cancelled tasks can be requeued: if any
    /// named task is neither, nothing is. Refusals are `TaskRequestRefused`.
    public func requeueTasks(pool: String, keys: [String], allDeadLetter: Bool, actor: String) async throws -> [String] {
        guard desired != nil else { throw TaskRequestRefused(.notReady, "no valid configuration is loaded; see /readyz") }
        guard !isStopping else { throw TaskRequestRefused(.notReady, "the daemon is stopping") }
        guard !keys.isEmpty || allDeadLetter else { throw TaskRequestRefused(.badRequest, "name task keys or ask for all_dead_letter") }
        let lockID: String
        do {
            lockID = try await acquireLock()
        } catch let failure as PassFailure {
            throw TaskRequestRefused(failure.lockBusy ? .stateLocked : .notReady, failure.message)
        }
        let requeued: [TaskStatus]
        do {
            let tasks = try await store.tasks(pool: pool).map(\.status)
            if tasks.isEmpty, pools[pool] == nil {
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
            requeued = chosen.compactMap(TaskLifecycle.requeue)
            if !requeued.isEmpty { try await store.setTasks(requeued, cause: "requeued by \(actor)", at: clock.now()) }
        } catch {
            await lock.release(lockID)
            throw error
        }
        await lock.release(lockID)
        if !requeued.isEmpty { tasksJournaled(pool: pool) }
        return requeued.map(\.key)
    }
}
