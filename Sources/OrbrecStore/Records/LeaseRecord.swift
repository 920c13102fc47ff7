public import OrbrecCore

/// One attempt of a pull pool's task: offered to workers, leased to one, or ended.
public struct LeaseRecord: Sendable, Hashable {
    public enum State: String, Sendable, Codable {
        /// Submitted by the planner; any worker may claim it.
        case offered
        /// Claimed: the worker holding `token` may heartbeat, complete, fail or release it
        /// until `expiresAt`.
        case leased
        /// Over: `outcome` says how.
        case ended
    }

    public var pool: String
    public var key: String
    public var attempt: Int
    public var state: State
    public var token: String?
    public var worker: String?
    public var machine: String?
    public var claimedAt: Instant?
    public var expiresAt: Instant?
    public var leaseMilliseconds: Int64?
    public var outcome: AttemptOutcome?
    /// The worker's reason for a failure, or why orbrec ended the lease (expired, revoked).
    public var reason: String?
    /// The JSON a worker completed the attempt with, as it sent it.
    public var result: String?
    public var endedAt: Instant?

    public var task: TaskID { TaskID(pool: pool, key: key) }

    /// For the backends (the PostgreSQL one is another module).
    package init(pool: String, key: String, attempt: Int, state: State, token: String?, worker: String?, machine: String?,
                 claimedAt: Instant?, expiresAt: Instant?, leaseMilliseconds: Int64?, outcome: AttemptOutcome?, reason: String?,
                 result: String?, endedAt: Instant?) {
        self.pool = pool
        self.key = key
        self.attempt = attempt
        self.state = state
        self.token = token
        self.worker = worker
        self.machine = machine
        self.claimedAt = claimedAt
        self.expiresAt = expiresAt
        self.leaseMilliseconds = leaseMilliseconds
        self.outcome = outcome
        self.reason = reason
        self.result = result
        self.endedAt = endedAt
    }
}

/// A claim that names a machine orbrec does not hold (unknown, being returned, returned,
/// lost or failed): a lease on it would be revoked at once, or never.
public struct MachineGone: Error, Sendable, Hashable {
    public var machine: String
    public var state: String?

    package init(machine: String, state: String?) {
        self.machine = machine
        self.state = state
    }
}

/// Why a worker's call on a lease was refused: its token no longer holds the attempt.
public struct StaleLease: Error, Sendable, Hashable {
    public var message: String
    /// The lease as it stands, when the token names one.
    public var lease: LeaseRecord?

    package init(message: String, lease: LeaseRecord?) {
        self.message = message
        self.lease = lease
    }
}
