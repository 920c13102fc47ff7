public import OrbrecCore

extension StateStore {
    /// Journals a task posted to an api pool, with an event, before anyone is answered. When
    /// `idempotencyKey` made a task already, or the pool has a task of that key, that task is
    /// answered and nothing is written: the caller judges whether it is the same task.
    public func recordAPITask(_ task: APITask, idempotencyKey: String?, at now: Instant) async throws -> APITaskJournaled {
        try await backend.recordAPITask(task, idempotencyKey: idempotencyKey, at: now)
    }

    /// Every task posted to `pools`, in the order posted: what the desired state adds to them.
    public func apiTasks(pools: [String]) async throws -> [APITask] {
        try await backend.apiTasks(pools: pools)
    }

    public func apiTask(pool: String, key: String) async throws -> APITaskEntry? {
        try await backend.apiTask(pool: pool, key: key)
    }

    /// At most `limit` of the pool's tasks posted after the one numbered `after`, in the order
    /// posted; with `state`, only those in it (a task never acted on is pending).
    public func apiTaskPage(pool: String, state: TaskState? = nil, after: Int64? = nil, limit: Int) async throws -> [APITaskEntry] {
        try await backend.apiTaskPage(pool: pool, state: state, after: after, limit: limit)
    }

    /// Records that `actor` asked for the task to be cancelled (once: a second ask keeps the
    /// first's time); the next plan cancels it. Nil when the pool has no task of that key.
    public func requestAPITaskCancel(pool: String, key: String, actor: String, at now: Instant) async throws -> APITaskEntry? {
        try await backend.requestAPITaskCancel(pool: pool, key: key, actor: actor, at: now)
    }
}
