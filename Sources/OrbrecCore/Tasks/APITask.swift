/// A task a program posted to an api pool (`source: api`), as the journal keeps it: its key (the
/// identity), its arguments, and where it stands among the pool's tasks. Its state is the
/// task's own (`TaskStatus`), journaled once it is acted on.
public struct APITask: Hashable, Sendable, Codable {
    public var pool: String
    public var key: String
    /// Reach the command as `${args.NAME}`, each one argv element as written.
    public var args: [String: String]
    /// The order tasks were posted in (over every pool): the pool's task order, and the cursor
    /// of a listing.
    public var sequence: Int64
    /// Who posted it (`api@ADDRESS`, `mcp@…`), as the journal's actions name their actors.
    public var actor: String
    public var createdAt: Instant
    /// When someone asked for it to be cancelled; the next pass carries it out.
    public var cancelRequestedAt: Instant?

    public init(pool: String, key: String, args: [String: String], sequence: Int64 = 0, actor: String, createdAt: Instant,
                cancelRequestedAt: Instant? = nil) {
        self.pool = pool
        self.key = key
        self.args = args
        self.sequence = sequence
        self.actor = actor
        self.createdAt = createdAt
        self.cancelRequestedAt = cancelRequestedAt
    }

    public var id: TaskID { TaskID(pool: pool, key: key) }

    /// The task as its pool runs it: `${item}` and `${key}` are its key, `${args.NAME}` its
    /// arguments, `${index}` its place in the order of posting.
    public var definition: TaskDefinition {
        var variables = ["item": key, "key": key]
        for (name, value) in args { variables[APITaskRules.argPrefix + name] = value }
        return TaskDefinition(key: key, index: Int(sequence), variables: variables)
    }
}
