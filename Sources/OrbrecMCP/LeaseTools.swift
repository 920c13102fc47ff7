internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecLeases
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
    func claim(pool name: String, worker: String, lease: Int64?, machine: String?) async throws -> LeaseAnswer {
        guard worker.count <= 200 else { throw ToolFailure.invalidArguments("worker must be at most 200 characters") }
        let desired = try backend.desired()
        let store = try await backend.openExistingStore()
        let pools = try await backend.poolsInForce(desired, store: store)
        guard let pool = pools[name] else {
            let known = pools.values.filter { $0.mode == .pull }.map(\.name).sorted()
            throw ToolFailure(.unknownPool, "no task pool \(name) in the configuration"
                              + (known.isEmpty ? "; it declares no pull pool" : "; its pull pools: \(known.joined(separator: ", "))"))
        }
        guard pool.mode == .pull else {
            throw ToolFailure(.notAPullPool, "TaskPool/\(name) is mode: push: orbrec submits its tasks; only mode: pull pools are claimed")
        }
        guard let store else {
            return LeaseAnswer(nothingIn: name, worker: worker,
                               message: "nothing is offered: there is no state yet; `orbrec apply` or the daemon offers the pool's tasks")
        }
        let now = clock.now()
        let claimed: LeaseRecord?
        do {
            claimed = try await LeaseService(store: store).claim(pool: name, worker: worker, machine: machine, lease: .seconds(lease ?? 30), at: now)
        } catch let gone as MachineGone {
            throw ToolFailure(.machineGone, "machine \(gone.machine) is \(gone.state ?? "not one orbrec holds"): a lease on it would be revoked at once")
        }
        guard let record = claimed else {
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
    func report(_ report: Report, id: String, token: String) async throws -> LeaseAnswer {
        let task = try Self.taskID(id)
        guard let store = try await backend.openExistingStore(), let held = try await store.lease(token: token) else {
            throw ToolFailure.stale("no lease holds this token")
        }
        guard held.task == task else { throw ToolFailure.stale("the token is for task \(held.pool):\(held.key), not \(id)") }
        // The pool as configured now, for the command shown and the retry policy; a worker's
        // report is taken even while the configuration is being edited and is invalid.
        var pool: TaskPoolSpec?
        if let desired = backend.desiredIfValid() { pool = (try? await backend.poolsInForce(desired, store: store))?[task.pool] }
        let now = clock.now()
        do {
            let shared: LeaseReport = switch report {
            case .heartbeat(let lease): .heartbeat(lease: lease.map { .seconds($0) })
            case .complete(let result): .complete(result: result)
            case .fail(let reason, let retryAfter): .fail(reason: reason, retryAfter: retryAfter.map { .seconds($0) })
            case .release: .release
            }
            let effect = try await LeaseService(store: store).report(shared, token: token, held: held, pool: pool, at: now)
            if !effect.holds {
                backend.log("task reported over MCP", [("task", id), ("attempt", "\(held.attempt)"), ("state", effect.state)])
                backend.attemptEnded(ObservedAttempt(scheduler: TaskPoolSpec.pullScheduler, task: task, attempt: effect.record.attempt,
                                                     jobID: effect.record.worker.map { "lease:\($0)" } ?? "offered",
                                                     outcome: effect.record.outcome ?? AttemptOutcome(lost: true)))
            }
            return LeaseAnswer(effect.record, pool: pool, state: effect.state, holder: effect.holds, now: now, nextTryAt: effect.nextTryAt)
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
}
