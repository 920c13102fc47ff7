/// Tasks sent back to pending: `POST /api/v1/pools/{pool}/requeue` and MCP's `requeue_tasks`.
public struct RequeueDocument: Encodable, Sendable {
    public var pool: String
    /// The keys requeued.
    public var requeued: [String]
    /// What happens next, for a reader (MCP only).
    public var message: String?

    public init(pool: String, requeued: [String], message: String? = nil) {
        self.pool = pool
        self.requeued = requeued
        self.message = message
    }
}
