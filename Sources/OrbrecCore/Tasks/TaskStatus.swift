/// A task as the journal knows it: the input of the lifecycle and the pool planner.
public struct TaskStatus: Hashable, Sendable, Codable {
    public var pool: String
    public var key: String
    public var state: TaskState
    /// The highest attempt number started (infra failures included).
    public var attemptsStarted: Int
    /// Attempts that count against `maxAttempts` (infra failures excluded).
    public var attemptsConsumed: Int
    /// When a `retrying` task may start its next attempt.
    public var nextTryAt: Instant?
    public var lastOutcome: AttemptOutcome?
    /// Infra failures since the task was (re)queued: they do not count as attempts, but are capped.
    public var infraLosses: Int

    public init(pool: String, key: String, state: TaskState = .pending, attemptsStarted: Int = 0, attemptsConsumed: Int = 0,
                nextTryAt: Instant? = nil, lastOutcome: AttemptOutcome? = nil, infraLosses: Int = 0) {
        self.infraLosses = infraLosses
        self.pool = pool
        self.key = key
        self.state = state
        self.attemptsStarted = attemptsStarted
        self.attemptsConsumed = attemptsConsumed
        self.nextTryAt = nextTryAt
        self.lastOutcome = lastOutcome
    }

    public var id: TaskID { TaskID(pool: pool, key: key) }
}

/// A task's identity: its pool and its key (the item, the range value, the matrix combination).
public struct TaskID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var pool: String
    public var key: String

    public init(pool: String, key: String) {
        self.pool = pool
        self.key = key
    }

    public var description: String { "\(pool)/\(key)" }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { (lhs.pool, lhs.key) < (rhs.pool, rhs.key) }
}
