internal import OrbrecCore
internal import OrbrecLeases
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// The tools over the journal: a request, the tasks, and requeueing dead letters.
struct JournalTools: Sendable {
    let backend: any MCPBackend

    /// `show_request`: as `orbrec requests show ID -o json`.
    func showRequest(id: String) async throws -> RequestDocument {
        guard let store = try await backend.openExistingStore(), let (request, machines) = try await store.request(id: id) else {
            throw ToolFailure(.notFound, "no request \(id); request ids read req-… (provision) or ret-… (return)")
        }
        return RequestDocument(request, machines: machines)
    }

    /// `list_tasks`: as `orbrec get tasks [POOL] -o json`, with each pull task's newest lease and next actions.
    func listTasks(pool: String?) async throws -> TasksAnswer {
        let store = try await backend.openExistingStore()
        let records = try await store?.tasks(pool: pool) ?? []
        if let pool, records.isEmpty {
            // Not an error for a declared pool with nothing submitted yet; a name that is nowhere is.
            let declared = backend.desiredIfValid()?.pools[pool] != nil
            guard declared else { throw ToolFailure(.unknownPool, "no task pool \(pool) in the configuration or the state") }
        }
        var pools: [String: TaskPoolSpec] = [:]
        if let desired = backend.desiredIfValid() { pools = (try? await backend.poolsInForce(desired, store: store)) ?? [:] }
        let now = SystemClock().now()
        var rows: [TaskRow] = []
        for record in records {
            let attempts = (try? await store?.attempts(pool: record.pool, key: record.key)) ?? []
            let pull = pools[record.pool].map { $0.mode == .pull } ?? (attempts.last?.scheduler == TaskPoolSpec.pullScheduler)
            guard pull else {
                rows.append(TaskRow(task: TaskDocument(record, attempts: attempts)))
                continue
            }
            // A pull task: its newest lease, and what a worker can do about it now (it holds no lease).
            let lease = try await store?.currentLease(pool: record.pool, key: record.key)
            let situation = TaskNextActions.Situation(
                pool: record.pool, pathID: "\(record.pool):\(record.key)", state: record.state, nextTryAt: record.nextTryAt,
                leasedElsewhereUntil: lease?.state == .leased ? lease?.expiresAt : nil)
            let next = TaskNextActions.derive(situation, now: now).map {
                LeaseAnswer.action($0, id: situation.pathID, pool: record.pool, key: record.key, token: nil, worker: nil)
            }
            rows.append(TaskRow(task: TaskDocument(record, attempts: attempts), lease: lease.map(LeaseView.init), nextActions: next))
        }
        return TasksAnswer(tasks: rows)
    }

    /// `requeue_tasks`: as `orbrec tasks requeue POOL [KEYS…] [--all-dead-letter]`, under the state lock.
    func requeueTasks(pool: String, keys: [String], allDeadLetter: Bool) async throws -> RequeueDocument {
        guard !keys.isEmpty || allDeadLetter else { throw ToolFailure.invalidArguments("name task keys or pass all_dead_letter: true") }
        let store = try await backend.existingStore(for: "there are no tasks to requeue")
        let lock = try await backend.lock(store, operation: "tasks requeue")
        return try await withCleanup {
            let requeued = try await TaskTools.refused {
                try await backend.reconciler(for: store).requeueTasks(pool: pool, keys: keys, allDeadLetter: allDeadLetter,
                                                                      declared: backend.desiredIfValid()?.pools[pool] != nil,
                                                                      actor: "\(backend.actor) over MCP")
            }
            return RequeueDocument(pool: pool, requeued: requeued,
                                   message: "requeued \(requeued.count) task(s) of \(pool); the next apply or daemon pass runs them")
        } cleanup: {
            try? await store.unlock(id: lock.id)
        }
    }
}

/// `list_tasks`' answer.
struct TasksAnswer: Encodable, Sendable {
    var tasks: [TaskRow]
}

/// A task as `get tasks -o json` shows it, and for a pull pool's task the lease of its newest attempt.
struct TaskRow: Encodable, Sendable {
    var task: TaskDocument
    var lease: LeaseView? = nil
    /// For a pull task: the tools a worker can call about it now.
    var nextActions: [LeaseAnswer.Action]? = nil

    enum CodingKeys: String, CodingKey {
        case lease
        case nextActions = "next_actions"
    }

    func encode(to encoder: any Encoder) throws {
        try task.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(lease, forKey: .lease)
        try container.encodeIfPresent(nextActions, forKey: .nextActions)
    }
}

/// A lease as `list_tasks` shows it: never its token.
struct LeaseView: Encodable, Sendable {
    var attempt: Int
    var state: String
    var worker: String?
    var machine: String?
    var leaseExpiresAt: String?
    var reason: String?

    init(_ record: LeaseRecord) {
        attempt = record.attempt
        state = record.state.rawValue
        worker = record.worker
        machine = record.machine
        leaseExpiresAt = record.state == .leased ? record.expiresAt.map(LeaseTaskView.iso) : nil
        reason = record.reason
    }
}
