/// One job a scheduler holds now (pending, running, finishing), as `orbrec get jobs` lists it.
public struct QueueJob: Hashable, Sendable, Codable {
    /// The scheduler's id of the job: `123`, an array task `123_4`, a pending range `123_[5-9%2]`.
    public var id: String
    public var name: String
    public var user: String
    public var account: String?
    public var partition: String
    /// The scheduler's word for its state (`PENDING`, `RUNNING`, ...).
    public var state: String
    public var timeUsed: QueueTimeLimit?
    public var timeLimit: QueueTimeLimit?
    public var nodes: Int?
    /// Why it waits (`Resources`, `Priority`, `JobHeldUser`), or `None`.
    public var reason: String
    /// Submitted by this state (orbrec's identity on the job names it).
    public var ownedByState: Bool
    /// For a job of this state: its pool, and its task and attempt when the job is one attempt.
    public var pool: String?
    public var taskKey: String?
    public var attempt: Int?

    public init(id: String, name: String, user: String, account: String? = nil, partition: String, state: String,
                timeUsed: QueueTimeLimit? = nil, timeLimit: QueueTimeLimit? = nil, nodes: Int? = nil, reason: String = "",
                ownedByState: Bool = false, pool: String? = nil, taskKey: String? = nil, attempt: Int? = nil) {
        self.id = id
        self.name = name
        self.user = user
        self.account = account
        self.partition = partition
        self.state = state
        self.timeUsed = timeUsed
        self.timeLimit = timeLimit
        self.nodes = nodes
        self.reason = reason
        self.ownedByState = ownedByState
        self.pool = pool
        self.taskKey = taskKey
        self.attempt = attempt
    }
}
