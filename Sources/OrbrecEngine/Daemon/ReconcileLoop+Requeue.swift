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
        let lockID: String
        do {
            lockID = try await acquireLock()
        } catch let failure as PassFailure {
            throw TaskRequestRefused(failure.lockBusy ? .stateLocked : .notReady, failure.message)
        }
        let requeued: [String]
        do {
            requeued = try await reconciler.requeueTasks(pool: pool, keys: keys, allDeadLetter: allDeadLetter,
                                                         declared: pools[pool] != nil, actor: actor)
        } catch {
            await lock.release(lockID)
            throw error
        }
        await lock.release(lockID)
        if !requeued.isEmpty { tasksJournaled(pool: pool) }
        return requeued
    }
}
