internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

/// The worker tools of pull pools: claim a task with a lease, then heartbeat, complete, fail
/// or release it with the attempt's fencing token. The same lease table and the same rules
/// as the daemon's lease API (`LeaseRoutes`): a token that no longer holds its attempt is
/// refused as `stale_attempt`. Works with or without a daemon: the next pass (daemon or
/// `orbrec apply`) settles what the workers reported.
struct LeaseTools: Sendable {
    let backend: any MCPBackend
    let clock: any Clock = SystemClock()

    static let resultLimit = 256 * 1024

    /// `claim_task`.
    func claim(pool name: String, worker: String, lease: Int64?, machine: String?) throws -> LeaseAnswer {
        guard worker.count <= 200 else { throw ToolFailure.invalidArguments("worker must be at most 200 characters") }
        let desired = try backend.desired()
        let store = try backend.openExistingStore()
        let pools = try backend.poolsInForce(desired, store: store)
        guard let pool = pools[name] else {
            let known = pools.values.filter { $0.mode == .pull }.map(\.name).sorted()
            throw ToolFailure("unknown_pool", "no task pool \(name) in the configuration"
                              + (known.isEmpty ? "; it declares no pull pool" : "; its pull pools: \(known.joined(separator: ", "))"))
        }
        guard pool.mode == .pull else {
            throw ToolFailure("not_a_pull_pool", "TaskPool/\(name) is mode: push: orbrec submits its tasks; only mode: pull pools are claimed")
        }
        guard let store else {
            return LeaseAnswer(nothingIn: name, worker: worker,
                               message: "nothing is offered: there is no state yet; `orbrec apply` or the daemon offers the pool's tasks")
        }
        let now = clock.now()
        guard let record = try store.claimLease(pool: name, worker: worker, machine: machine, lease: .seconds(lease ?? 30),
                                                token: Self.newToken(), at: now) else {
            return LeaseAnswer(nothingIn: name, worker: worker,
                               message: "nothing of \(name) is offered now: every task is leased, finished or waiting for its backoff, "
                                   + "or the next pass (daemon or `orbrec apply`) has not offered it yet")
        }
        backend.log("task claimed over MCP", [("task", "\(record.pool):\(record.key)"), ("attempt", "\(record.attempt)"), ("worker", worker)])
        return LeaseAnswer(record, pool: pool, state: "leased", holder: true, now: now)
    }

    /// What a worker reports about the attempt its token holds.
    enum Report: Sendable {
        case heartbeat(lease: Int64?)
        case complete(result: String?)
        case fail(reason: String?, retryAfter: Int64?)
        case release
    }

    /// `heartbeat_task`, `complete_task`, `fail_task` and `release_task`.
    func report(_ report: Report, id: String, token: String) throws -> LeaseAnswer {
        let task = try Self.taskID(id)
        guard let store = try backend.openExistingStore(), let held = try store.lease(token: token) else {
            throw ToolFailure.stale("no lease holds this token")
        }
        guard held.task == task else { throw ToolFailure.stale("the token is for task \(held.pool):\(held.key), not \(id)") }
        // The pool as configured now, for the command shown and the retry policy; a worker's
        // report is taken even while the configuration is being edited and is invalid.
        let pool = backend.desiredIfValid().flatMap { try? backend.poolsInForce($0, store: store)[task.pool] }
        let now = clock.now()
        do {
            switch report {
            case .heartbeat(let lease):
                let record = try store.heartbeatLease(token: token, lease: lease.map { .seconds($0) }, at: now)
                return LeaseAnswer(record, pool: pool, state: "leased", holder: true, now: now)
            case .complete(let result):
                let outcome = AttemptOutcome(exitCode: 0, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "")
                let record = try store.endLease(token: token, outcome: outcome, reason: nil, result: result, at: now)
                backend.log("task completed over MCP", [("task", id), ("attempt", "\(held.attempt)")])
                return LeaseAnswer(record, pool: pool, state: TaskState.completed.rawValue, holder: false, now: now)
            case .fail(let reason, let retryAfter):
                // The retry decision is made here, with its jitter, and kept in the outcome, so the
                // answer names the time the engine will use (as the lease API does).
                let current = try store.tasks(pool: task.pool).first { $0.key == task.key }?.status
                    ?? TaskStatus(pool: task.pool, key: task.key, state: .running, attemptsStarted: held.attempt)
                var outcome = AttemptOutcome(exitCode: 1, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "",
                                             retryAfter: retryAfter.map { .seconds($0) })
                let decided = TaskLifecycle.finish(current, attempt: held.attempt, outcome: outcome, policy: pool?.retry ?? .default, now: now,
                                                   jitterSample: Double.random(in: -1...1))
                if outcome.retryAfter == nil, let next = decided.task.nextTryAt {
                    outcome.retryAfter = ConfigDuration(milliseconds: next.millisecondsSinceEpoch - now.millisecondsSinceEpoch)
                }
                let record = try store.endLease(token: token, outcome: outcome, reason: reason, result: nil, at: now)
                backend.log("task failed over MCP", [("task", id), ("attempt", "\(held.attempt)"), ("next", decided.task.state.rawValue)])
                return LeaseAnswer(record, pool: pool, state: decided.task.state.rawValue, holder: false, now: now,
                                   nextTryAt: decided.task.nextTryAt)
            case .release:
                let outcome = AttemptOutcome(lost: true, startedAt: held.claimedAt, endedAt: now, host: held.worker ?? "",
                                             retryAfter: ConfigDuration(milliseconds: 0))
                let record = try store.endLease(token: token, outcome: outcome, reason: "released by \(held.worker ?? "its worker")",
                                                result: nil, at: now)
                return LeaseAnswer(record, pool: pool, state: TaskState.pending.rawValue, holder: false, now: now)
            }
        } catch let refused as StaleLease {
            throw ToolFailure.stale(refused.message)
        }
    }

    /// `POOL:KEY`; the key may itself hold colons.
    static func taskID(_ text: String) throws(ToolFailure) -> TaskID {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            throw .invalidArguments("a task id is POOL:KEY, like jobs:7")
        }
        return TaskID(pool: String(text[..<colon]), key: String(text[text.index(after: colon)...]))
    }

    /// A fencing token: 128 random bits, in the lease API's form.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return "lt-" + (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
