/// The planner's rules for starting tasks (each pool's parallelism, each scheduler's free
/// slots, pending tasks in definition order, retries once their backoff is over) kept
/// incrementally, for the engine's event-driven path: an attempt's end frees its slot and
/// the next task starts at once, at a cost in proportion to the change, not to the pool.
///
/// Built from the journal after a level-triggered pass; the pass stays the safety net (it
/// dead-letters, cancels, and applies deadlines and configuration changes).
public struct TaskDispatcher: Sendable {
    /// One attempt to start now.
    public struct Start: Hashable, Sendable {
        public var pool: String
        public var ref: TaskAttemptRef
        /// For a retry: the task as it waited (its last outcome and attempts make the reason).
        public var retrying: TaskStatus?
    }

    /// How a pool stands, for progress lines.
    public struct Counts: Hashable, Sendable {
        public var completed = 0
        public var running = 0
        public var pending = 0
        public var retrying = 0
        public var dead = 0
        public var cancelled = 0
        public var total: Int { completed + running + pending + retrying + dead + cancelled }

        public init(completed: Int = 0, running: Int = 0, pending: Int = 0, retrying: Int = 0, dead: Int = 0, cancelled: Int = 0) {
            self.completed = completed
            self.running = running
            self.pending = pending
            self.retrying = retrying
            self.dead = dead
            self.cancelled = cancelled
        }
    }

    struct PoolQueue: Sendable {
        var scheduler: String
        var parallelism: Int
        /// Keys that wait for their first (or, after a requeue, next) attempt, in definition order.
        var pending: [String]
        var nextPending = 0
        /// The attempts each pending key has started before (requeued tasks), 0 when absent.
        var startedBefore: [String: Int]
        var retrying: [TaskStatus]
        var counts: Counts
    }

    var queues: [String: PoolQueue]
    var freeSlots: [String: Int]

    /// `pools`: the push pools whose scheduler announces ends (and is reachable), with their
    /// tasks as the journal holds them (absent: never started); `slots`: each scheduler's
    /// slots (nil: unbounded); `runningBySchedulers`: attempts running on each scheduler now;
    /// `queueAhead`: how many attempts beyond its slots (and beyond each pool's parallelism)
    /// a scheduler takes into a queue of its own, which then enforces both limits.
    public init(pools: [TaskPoolSpec], tasks: [TaskStatus], slots: [String: Int?], runningBySchedulers: [String: Int],
                queueAhead: [String: Int] = [:]) {
        var byPool: [String: [String: TaskStatus]] = [:]
        for task in tasks { byPool[task.pool, default: [:]][task.key] = task }
        var queues: [String: PoolQueue] = [:]
        for pool in pools {
            let recorded = byPool[pool.name] ?? [:]
            let ahead = max(0, queueAhead[pool.scheduler] ?? 0)
            var queue = PoolQueue(scheduler: pool.scheduler, parallelism: pool.parallelism.map { $0 + ahead } ?? Int.max, pending: [], startedBefore: [:],
                                  retrying: [], counts: Counts())
            for definition in pool.tasks.sorted(by: { $0.index < $1.index }) {
                guard let task = recorded[definition.key] else {
                    queue.pending.append(definition.key)
                    queue.counts.pending += 1
                    continue
                }
                switch task.state {
                case .pending:
                    queue.pending.append(task.key)
                    queue.startedBefore[task.key] = task.attemptsStarted
                    queue.counts.pending += 1
                case .running: queue.counts.running += 1
                case .retrying:
                    queue.retrying.append(task)
                    queue.counts.retrying += 1
                case .completed: queue.counts.completed += 1
                case .deadLetter: queue.counts.dead += 1
                case .cancelled: queue.counts.cancelled += 1
                }
            }
            queues[pool.name] = queue
        }
        self.queues = queues
        var free: [String: Int] = [:]
        for (scheduler, limit) in slots {
            free[scheduler] = limit.map { max(0, $0 + max(0, queueAhead[scheduler] ?? 0) - (runningBySchedulers[scheduler] ?? 0)) } ?? Int.max
        }
        freeSlots = free
    }

    public var pools: [String] { queues.keys.sorted() }

    public func counts(of pool: String) -> Counts? { queues[pool]?.counts }

    /// Whether the pool is one this dispatcher starts tasks for.
    public func dispatches(_ pool: String) -> Bool { queues[pool] != nil }

    /// A running task of a dispatched pool settled into `task` (completed, retrying, dead…).
    public mutating func ended(_ task: TaskStatus) {
        guard var queue = queues[task.pool], queue.counts.running > 0 else { return }
        queue.counts.running -= 1
        if freeSlots[queue.scheduler] != Int.max { freeSlots[queue.scheduler, default: 0] += 1 }
        switch task.state {
        case .completed: queue.counts.completed += 1
        case .deadLetter: queue.counts.dead += 1
        case .cancelled: queue.counts.cancelled += 1
        case .retrying:
            queue.counts.retrying += 1
            queue.retrying.append(task)
        case .pending:
            queue.counts.pending += 1
            queue.pending.append(task.key)
            queue.startedBefore[task.key] = task.attemptsStarted
        case .running:
            queue.counts.running += 1
            if freeSlots[queue.scheduler] != Int.max { freeSlots[queue.scheduler, default: 0] -= 1 }
        }
        queues[task.pool] = queue
    }

    /// Starts nothing more in `pool` (its deadline passed): what waits is left to the pass, which cancels it.
    public mutating func stop(_ pool: String) {
        guard var queue = queues[pool] else { return }
        queue.pending = []
        queue.nextPending = 0
        queue.retrying = []
        queue.counts.pending = 0
        queue.counts.retrying = 0
        queues[pool] = queue
    }

    /// What starts now: due retries first (they have waited), then pending tasks in order;
    /// pools in name order share a scheduler's free slots, as in the planner.
    public mutating func starts(now: Instant) -> [Start] {
        var starts: [Start] = []
        for name in queues.keys.sorted() {
            guard var queue = queues[name] else { continue }
            var free = freeSlots[queue.scheduler] ?? 0
            let room = queue.parallelism == Int.max ? Int.max : max(0, queue.parallelism - max(0, queue.counts.running))
            var capacity = min(room, free)
            if capacity > 0 && !queue.retrying.isEmpty {
                queue.retrying.sort { ($0.nextTryAt ?? now) < ($1.nextTryAt ?? now) }
                while capacity > 0, let first = queue.retrying.first, (first.nextTryAt ?? now) <= now {
                    queue.retrying.removeFirst()
                    starts.append(Start(pool: name, ref: TaskAttemptRef(key: first.key, attempt: first.attemptsStarted + 1), retrying: first))
                    queue.counts.retrying -= 1
                    queue.counts.running += 1
                    capacity -= 1
                    if free != Int.max { free -= 1 }
                }
            }
            while capacity > 0 && queue.nextPending < queue.pending.count {
                let key = queue.pending[queue.nextPending]
                queue.nextPending += 1
                starts.append(Start(pool: name, ref: TaskAttemptRef(key: key, attempt: (queue.startedBefore[key] ?? 0) + 1)))
                queue.counts.pending -= 1
                queue.counts.running += 1
                capacity -= 1
                if free != Int.max { free -= 1 }
            }
            if queue.nextPending > 4096 && queue.nextPending * 2 > queue.pending.count {
                queue.pending.removeFirst(queue.nextPending)
                queue.nextPending = 0
            }
            queues[name] = queue
            freeSlots[queue.scheduler] = free
        }
        return starts
    }

    /// When the earliest waiting retry comes due.
    public var nextRetry: Instant? { queues.values.flatMap(\.retrying).compactMap(\.nextTryAt).min() }

    /// Whether nothing runs, waits or is pending in any dispatched pool.
    public var isDrained: Bool {
        queues.values.allSatisfy { $0.counts.running == 0 && $0.counts.pending == 0 && $0.counts.retrying == 0 }
    }

}
