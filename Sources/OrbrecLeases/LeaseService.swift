public import OrbrecCore
public import OrbrecStore

/// What a worker does with the attempt it holds, from whichever door it comes in: the
/// daemon's lease API or MCP. One place decides how each report ends the attempt.
public enum LeaseReport: Sendable {
    case heartbeat(lease: ConfigDuration?)
    case complete(result: String?)
    case fail(reason: String?, retryAfter: ConfigDuration?)
    case release
}

/// A report's effect: the lease as it stands and the task's state as the worker should see it.
public struct LeaseEffect: Sendable {
    public var record: LeaseRecord
    /// `leased`, `completed`, `retrying`, `dead_letter`, `pending` (released).
    public var state: String
    /// Whether the caller still holds the lease (its token and expiry are shown).
    public var holds: Bool
    /// After a failure: when the next attempt may start.
    public var nextTryAt: Instant?
}

/// Claims and reports on a pull pool's leases, over the state.
public struct LeaseService: Sendable {
    let store: StateStore

    public init(store: StateStore) {
        self.store = store
    }

    /// A fencing token: 128 random bits.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "lt-" + (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Leases the pool's oldest offered attempt to `worker`; nil when none is offered. Claims
    /// and reports made together share one durable transaction (group commit); none is
    /// answered before it is synced.
    /// With `idempotencyKey`, the lease is written into that key's reservation in the same
    /// transaction, so a retry after a crash is answered with it rather than claiming again.
    public func claim(pool: String, worker: String, machine: String?, lease: ConfigDuration, idempotencyKey: String? = nil,
                      at now: Instant) async throws -> LeaseRecord? {
        try await store.claimLease(pool: pool, worker: worker, machine: machine, lease: lease, token: Self.newToken(),
                             idempotencyKey: idempotencyKey, at: now)
    }

    /// Applies a report made with `token` on the attempt `held`. Throws `StaleLease` when the
    /// token no longer holds it.
    public func report(_ report: LeaseReport, token: String, held: LeaseRecord, pool: TaskPoolSpec?, at now: Instant) async throws -> LeaseEffect {
        switch report {
        case .heartbeat(let lease):
            let record = try await store.heartbeatLease(token: token, lease: lease, at: now)
            return LeaseEffect(record: record, state: "leased", holds: true)
        case .complete(let result):
            let outcome = AttemptOutcome(exitCode: 0, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "")
            let record = try await store.endLease(token: token, outcome: outcome, reason: nil, result: result, at: now)
            return LeaseEffect(record: record, state: TaskState.completed.rawValue, holds: false)
        case .fail(let reason, let retryAfter):
            // The retry decision is made here, with its jitter, and kept in the outcome, so the
            // answer names the time the engine will use.
            let current = try await store.task(pool: held.pool, key: held.key)?.status
                ?? TaskStatus(pool: held.pool, key: held.key, state: .running, attemptsStarted: held.attempt)
            var outcome = AttemptOutcome(exitCode: 1, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "", retryAfter: retryAfter)
            let decided = TaskLifecycle.finish(current, attempt: held.attempt, outcome: outcome, policy: pool?.retry ?? .default, now: now,
                                               jitterSample: Double.random(in: -1...1))
            if outcome.retryAfter == nil, let next = decided.task.nextTryAt {
                outcome.retryAfter = ConfigDuration(milliseconds: next.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
            }
            let record = try await store.endLease(token: token, outcome: outcome, reason: reason, result: nil, at: now)
            return LeaseEffect(record: record, state: decided.task.state.rawValue, holds: false, nextTryAt: decided.task.nextTryAt)
        case .release:
            // Given back unfinished: infrastructure's doing, not the task's; offered again at once.
            let outcome = AttemptOutcome(lost: true, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "",
                                         retryAfter: ConfigDuration(milliseconds: 0))
            let record = try await store.endLease(token: token, outcome: outcome, reason: "released by \(held.worker ?? "its worker")",
                                            result: nil, at: now)
            return LeaseEffect(record: record, state: TaskState.pending.rawValue, holds: false)
        }
    }
}
