public import OrbrecCore
public import OrbrecStore

/// A task of an api pool as the API and MCP answer it: what was posted (key, args, who and
/// when) and where it stands (the journal's state, attempts and last result). Times are
/// milliseconds since the epoch, as in `GET /api/v1/tasks`.
public struct APITaskDocument: Encodable, Sendable {
    public var pool: String
    public var key: String
    public var args: [String: String]
    /// `pending` until the engine acts on it, then the task's state.
    public var state: String
    /// Its place in the order of posting: a listing's `next` cursor is one of these.
    public var sequence: Int64
    public var actor: String
    public var createdAt: Int64
    public var cancelRequestedAt: Int64?
    public var attemptsStarted: Int
    public var attemptsConsumed: Int
    public var nextTryAt: Int64?
    public var lastResult: String?
    /// Every attempt, in one task's answer; left out of a listing.
    public var attempts: [TaskDocument.Attempt]?

    enum CodingKeys: String, CodingKey {
        case pool, key, args, state, sequence, actor, attempts
        case createdAt = "created_at"
        case cancelRequestedAt = "cancel_requested_at"
        case attemptsStarted = "attempts_started"
        case attemptsConsumed = "attempts_consumed"
        case nextTryAt = "next_try_at"
        case lastResult = "last_result"
    }

    /// `attempts`: the task's attempts for one task's answer, nil in a listing.
    public init(_ entry: APITaskEntry, attempts: [AttemptRecord]? = nil) {
        pool = entry.task.pool
        key = entry.task.key
        args = entry.task.args
        state = entry.state.rawValue
        sequence = entry.task.sequence
        actor = entry.task.actor
        createdAt = entry.task.createdAt.millisecondsSinceEpoch
        cancelRequestedAt = entry.task.cancelRequestedAt?.millisecondsSinceEpoch
        attemptsStarted = entry.journaled?.attemptsStarted ?? 0
        attemptsConsumed = entry.journaled?.attemptsConsumed ?? 0
        nextTryAt = entry.journaled?.nextTryAt?.millisecondsSinceEpoch
        lastResult = entry.journaled?.status.lastOutcome?.summary
        self.attempts = attempts.map { records in
            records.map {
                TaskDocument.Attempt(attempt: $0.attempt, state: $0.state.rawValue, jobID: $0.jobId, scheduler: $0.scheduler,
                                     exitCode: $0.exitCode, signal: $0.signal, failureClass: $0.failureClass?.rawValue, host: $0.host,
                                     startedAt: $0.startedAt?.millisecondsSinceEpoch, endedAt: $0.endedAt?.millisecondsSinceEpoch)
            }
        }
    }
}

/// One page of an api pool's tasks, in the order posted: `next` is the cursor of the next
/// page (`?after=`), null on the last.
public struct APITaskPageDocument: Encodable, Sendable {
    public var tasks: [APITaskDocument]
    public var next: String?

    public init(_ entries: [APITaskEntry], limit: Int) {
        let shown = entries.prefix(limit)
        tasks = shown.map { APITaskDocument($0) }
        next = entries.count > limit ? shown.last.map { String($0.task.sequence) } : nil
    }

    /// `next` is always there: null on the last page.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tasks, forKey: .tasks)
        try container.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case tasks, next }
}
