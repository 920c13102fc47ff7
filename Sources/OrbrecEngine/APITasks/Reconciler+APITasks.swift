public import OrbrecCore
public import OrbrecStore

/// Tasks posted to api pools (`source: api`): journaled here before anyone is answered, then run
/// by the planner and the flow as the pool's tasks (`effectiveDesired` adds them).
extension Reconciler {
    /// What creating a task answered: the task, and whether this call journaled it (`created`),
    /// repeated the call that did (`replayed`: the same Idempotency-Key), or found it posted
    /// before with the same args.
    public struct TaskCreation: Sendable, Hashable {
        public var entry: APITaskEntry
        public var created: Bool
        public var replayed: Bool
    }

    /// Journals task `key` of api pool `pool` with `args`, with an event, and answers it. The
    /// key is the identity: the same key with the same args answers the task posted before and
    /// runs nothing more; with other args it is refused (`task-exists`). An `idempotencyKey`
    /// seen before answers the task it made (`idempotency_key_reused` when this call asks for
    /// another). Refused, with nothing journaled, for a pool that is unknown or not an api pool,
    /// a key that cannot be one, or args the rules or the command refuse.
    public func createTask(pool name: String, key: String, args: [String: String], idempotencyKey: String?, actor: String,
                           configured: DesiredState) async throws -> TaskCreation {
        let pool = try apiPool(name, in: configured)
        if let problem = APITaskRules.keyProblem(key) { throw TaskRequestRefused(.invalidKey, problem) }
        if let problem = APITaskRules.argsProblem(args, for: pool) { throw TaskRequestRefused(.invalidArgs, problem) }
        let task = APITask(pool: name, key: key, args: args, actor: actor, createdAt: clock.now())
        let journaled = try await store.recordAPITask(task, idempotencyKey: idempotencyKey, at: task.createdAt)
        checkpoint("task.after-journal")
        switch journaled {
        case .created(let entry):
            return TaskCreation(entry: entry, created: true, replayed: false)
        case .idempotencyKeySeen(let entry):
            guard entry.task.pool == name, entry.task.key == key, entry.task.args == args else {
                throw TaskRequestRefused(.idempotencyKeyReused,
                                         "this Idempotency-Key made task '\(TextEscaping.quoted(entry.task.key, limit: 80))' of TaskPool/\(entry.task.pool) "
                                             + "with other args; use a new key for a different task")
            }
            return TaskCreation(entry: entry, created: false, replayed: true)
        case .keyExists(let entry):
            guard entry.task.args == args else {
                throw TaskRequestRefused(.taskExists,
                                         "TaskPool/\(name) has task '\(TextEscaping.quoted(key, limit: 80))' already, posted with other args; "
                                             + "a key names one task: post another key for other args")
            }
            return TaskCreation(entry: entry, created: false, replayed: false)
        }
    }

    /// Asks for task `key` of api pool `pool` to be cancelled: journaled, then carried out by the
    /// next plan (a running attempt is stopped, as `orbrec tasks cancel` stops it). Answers the
    /// task, and whether a cancel is under way (false: it had finished, nothing to cancel).
    public func cancelTask(pool name: String, key: String, actor: String, configured: DesiredState) async throws
        -> (entry: APITaskEntry, cancelling: Bool) {
        _ = try apiPool(name, in: configured)
        guard let entry = try await store.apiTask(pool: name, key: key) else { throw unknownTask(name, key) }
        guard !entry.state.isFinished else { return (entry, false) }
        guard let requested = try await store.requestAPITaskCancel(pool: name, key: key, actor: actor, at: clock.now()) else {
            throw unknownTask(name, key)
        }
        // It may have finished meanwhile; the plan then has nothing to cancel.
        return (requested, !requested.state.isFinished)
    }

    /// One task of an api pool.
    public func apiTask(pool name: String, key: String, configured: DesiredState) async throws -> APITaskEntry {
        _ = try apiPool(name, in: configured)
        guard let entry = try await store.apiTask(pool: name, key: key) else { throw unknownTask(name, key) }
        return entry
    }

    /// At most `limit` tasks of an api pool in the order they were posted, after the task numbered
    /// `after` (a page's cursor), only those in `state` when it is given.
    public func apiTasks(pool name: String, state: TaskState?, after: Int64?, limit: Int, configured: DesiredState) async throws
        -> [APITaskEntry] {
        _ = try apiPool(name, in: configured)
        return try await store.apiTaskPage(pool: name, state: state, after: after, limit: limit)
    }

    private func apiPool(_ name: String, in configured: DesiredState) throws(TaskRequestRefused) -> TaskPoolSpec {
        guard let pool = configured.pools[name] else {
            let known = configured.apiPools
            throw TaskRequestRefused(.unknownPool, "no TaskPool \(TextEscaping.quoted(name, limit: 63)) in the configuration"
                                         + (known.isEmpty ? "" : "; api pools: \(known.joined(separator: ", "))"))
        }
        guard pool.isAPI else {
            throw TaskRequestRefused(.notAnAPIPool, "TaskPool/\(name) lists its tasks in its file; only a pool with source: api takes tasks "
                                         + "from the API")
        }
        return pool
    }

    private func unknownTask(_ pool: String, _ key: String) -> TaskRequestRefused {
        TaskRequestRefused(.unknownTask, "TaskPool/\(pool) has no task '\(TextEscaping.quoted(key, limit: 80))'")
    }
}
