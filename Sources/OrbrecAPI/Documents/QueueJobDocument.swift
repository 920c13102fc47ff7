public import OrbrecCore

/// A job a scheduler holds, as `get jobs -o json`, `GET /api/v1/schedulers/{name}/jobs` and the
/// MCP tool `list_jobs` show it.
public struct QueueJobDocument: Encodable, Sendable {
    public var scheduler: String
    public var id: String
    public var name: String
    public var user: String
    public var account: String?
    public var partition: String
    public var state: String
    public var timeUsed: String?
    public var timeUsedSeconds: Int?
    public var timeLimit: String?
    public var timeLimitSeconds: Int?
    public var nodes: Int?
    public var reason: String
    /// Submitted by this state; its pool, task key and attempt when orbrec can tell.
    public var mine: Bool
    public var pool: String?
    public var key: String?
    public var attempt: Int?

    enum CodingKeys: String, CodingKey {
        case scheduler, id, name, user, account, partition, state, nodes, reason, mine, pool, key, attempt
        case timeUsed = "time_used"
        case timeUsedSeconds = "time_used_seconds"
        case timeLimit = "time_limit"
        case timeLimitSeconds = "time_limit_seconds"
    }

    public init(scheduler: String, _ job: QueueJob) {
        self.scheduler = scheduler
        id = job.id
        name = job.name
        user = job.user
        account = job.account
        partition = job.partition
        state = job.state
        timeUsed = job.timeUsed?.text
        timeUsedSeconds = job.timeUsed?.seconds
        timeLimit = job.timeLimit?.text
        timeLimitSeconds = job.timeLimit?.seconds
        nodes = job.nodes
        reason = job.reason
        mine = job.ownedByState
        pool = job.pool
        key = job.taskKey
        attempt = job.attempt
    }
}
