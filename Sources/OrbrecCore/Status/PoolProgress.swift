/// How far a pool is: the counts `apply --wait` and `status` show.
public struct PoolProgress: Sendable, Hashable {
    public var total: Int
    public var done: Int
    public var running: Int
    public var retrying: Int
    public var dead: Int
    public var cancelled: Int

    public init(pool: TaskPoolSpec, tasks: [TaskStatus]) {
        let keys = Set(pool.tasks.map(\.key))
        let current = tasks.filter { keys.contains($0.key) }
        let count = { (state: TaskState) in current.filter { $0.state == state }.count }
        total = keys.count
        done = count(.completed)
        running = count(.running)
        retrying = count(.retrying)
        dead = count(.deadLetter)
        cancelled = count(.cancelled)
    }

    /// Every task completed, dead-lettered or cancelled.
    public var isFinished: Bool { done + dead + cancelled == total }

    public var summary: String {
        "done \(done)/\(total), running \(running), retrying \(retrying), dead \(dead)" + (cancelled > 0 ? ", cancelled \(cancelled)" : "")
    }
}
