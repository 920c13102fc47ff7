public import OrbrecCore
public import OrbrecStore

/// `get tasks -o json`: one task with every attempt.
public struct TaskDocument: Encodable, Sendable {
    public struct Attempt: Encodable, Sendable {
        public var attempt: Int
        public var state: String
        public var jobID: String?
        public var scheduler: String
        public var exitCode: Int?
        public var signal: Int?
        public var failureClass: String?
        public var host: String
        public var startedAt: Int64?
        public var endedAt: Int64?

        enum CodingKeys: String, CodingKey {
            case attempt, state, scheduler, signal, host
            case jobID = "job_id"
            case exitCode = "exit_code"
            case failureClass = "failure_class"
            case startedAt = "started_at"
            case endedAt = "ended_at"
        }
    }

    public var pool: String
    public var key: String
    public var state: String
    public var attemptsStarted: Int
    public var attemptsConsumed: Int
    public var nextTryAt: Int64?
    public var lastResult: String?
    public var attempts: [Attempt]
    /// For a pull pool's task: what a worker can do about it now (no lease held).
    public var nextActions: [NextActionDocument]?

    enum CodingKeys: String, CodingKey {
        case pool, key, state, attempts
        case attemptsStarted = "attempts_started"
        case attemptsConsumed = "attempts_consumed"
        case nextTryAt = "next_try_at"
        case lastResult = "last_result"
        case nextActions = "next_actions"
    }

    public init(_ record: TaskRecord, attempts: [AttemptRecord]) {
        pool = record.pool
        key = record.key
        state = record.state.rawValue
        attemptsStarted = record.attemptsStarted
        attemptsConsumed = record.attemptsConsumed
        nextTryAt = record.nextTryAt?.millisecondsSinceEpoch
        lastResult = record.status.lastOutcome?.summary
        self.attempts = attempts.map {
            Attempt(attempt: $0.attempt, state: $0.state.rawValue, jobID: $0.jobId, scheduler: $0.scheduler, exitCode: $0.exitCode,
                    signal: $0.signal, failureClass: $0.failureClass?.rawValue, host: $0.host,
                    startedAt: $0.startedAt?.millisecondsSinceEpoch, endedAt: $0.endedAt?.millisecondsSinceEpoch)
        }
    }
}
