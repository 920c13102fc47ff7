extension ActionReason {
    public static let taskPending = ActionReason("task-pending")
    public static let deadlineExceeded = ActionReason("deadline-exceeded")
    /// Someone asked for an api pool's task to be cancelled (the API, MCP).
    public static let cancelRequested = ActionReason("cancel-requested")
}

extension Planner {
    /// A task as the planner sees it: the journal's status, settled by what the scheduler reports.
    struct PoolTask {
        var definition: TaskDefinition?
        var recorded: TaskStatus?
        var status: TaskStatus
        var transitionCause: String?
    }

    /// Plans every task pool: record ends (dead-letter), cancel what left the configuration
    /// or ran past the deadline, then submit pending tasks and retry those whose backoff is
    /// over, within each pool's parallelism and each scheduler's free slots.
    func planPools(_ input: PlanInput, into plan: inout Plan) {
        let attemptsByTask = Dictionary(grouping: input.observed.attempts, by: \.task)
        let recordedByID = Dictionary(input.tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var freeSlots: [String: Int] = [:]
        for scheduler in input.desired.schedulers.values {
            let running = input.observed.attempts.filter { $0.scheduler == scheduler.name && $0.isRunning }.count
            freeSlots[scheduler.name] = max(0, (scheduler.effectiveSlots ?? Int.max) - running)
        }
        for problem in input.observed.unreachableSchedulers.sorted(by: { $0.key < $1.key }) {
            plan.warnings.append(.warning(
                "scheduler-unreachable", "scheduler \(problem.key) could not be observed (\(problem.value)); its pools are left unchanged",
                at: input.desired.schedulers[problem.key]?.metadata.location))
        }

        for pool in input.desired.pools.values.sorted(by: { $0.name < $1.name }) {
            guard input.observed.unreachableSchedulers[pool.scheduler] == nil else { continue }
            var tasks: [PoolTask] = pool.tasks.map { definition in
                let id = TaskID(pool: pool.name, key: definition.key)
                let recorded = recordedByID[id]
                let status = recorded ?? TaskStatus(pool: pool.name, key: definition.key)
                // Jitter 0 here: the engine records the real next-try time when it settles the task.
                let settled = TaskLifecycle.settle(status, attempts: attemptsByTask[id] ?? [], policy: pool.retry,
                                                   now: input.now, jitterSample: 0)
                return PoolTask(definition: definition, recorded: recorded, status: settled?.task ?? status,
                                transitionCause: settled?.cause)
            }
            plan.resourceVersions[pool.id] = Self.poolVersion(pool, tasks: tasks.map(\.status))
            func action(_ verb: Verb, _ reason: ActionReason, _ refs: [TaskAttemptRef]) -> PlannedAction {
                PlannedAction(verb: verb, resource: pool.id, reason: reason, provider: pool.scheduler, template: "",
                              templateHash: "", resourceVersion: plan.resourceVersions[pool.id] ?? "", taskAttempts: refs)
            }

            for task in tasks where task.status.state == .deadLetter && task.recorded?.state != .deadLetter {
                let cause = task.transitionCause.map { ActionReason("task-failed", detail: String($0.dropFirst("task-failed ".count))) }
                plan.actions.append(action(.deadLetter, cause ?? ActionReason("task-failed"),
                                           [TaskAttemptRef(key: task.status.key, attempt: task.status.attemptsStarted)]))
            }

            // Asked to be cancelled (an api pool's task): cancelled while unfinished, never started again.
            let cancelling = tasks.filter { input.desired.cancelling.contains(TaskID(pool: pool.name, key: $0.status.key)) }
            let cancels = cancelling.filter { !$0.status.state.isFinished }
            if !cancels.isEmpty {
                plan.actions.append(action(.cancel, .cancelRequested,
                                           cancels.map { TaskAttemptRef(key: $0.status.key, attempt: $0.status.attemptsStarted) }))
            }
            if !cancelling.isEmpty {
                let skipped = Set(cancelling.map(\.status.key))
                tasks.removeAll { skipped.contains($0.status.key) }
            }
            // An api task posted before the command used an argument it lacks waits: its argv would
            // hold an empty string where the argument goes.
            let unbound = tasks.filter { task in
                !task.status.state.isFinished && task.definition.map { !pool.unboundVariables(of: $0).isEmpty } ?? false
            }
            if !unbound.isEmpty {
                let names = Set(unbound.flatMap { $0.definition.map(pool.unboundVariables(of:)) ?? [] }).sorted().map { "${\($0)}" }
                plan.warnings.append(.warning(
                    "task-args-missing", "\(pool.id): \(unbound.count) task(s) lack what the command uses (\(names.joined(separator: ", "))), "
                        + "e.g. '\(TextEscaping.quoted(unbound[0].status.key, limit: 60))'; they are not started until the command "
                        + "no longer needs it (or they are cancelled)",
                    at: pool.metadata.location))
                let skipped = Set(unbound.map(\.status.key))
                tasks.removeAll { skipped.contains($0.status.key) && $0.status.state != .running }
            }

            if let deadline = pool.deadline, let started = input.poolStartedAt[pool.name], input.now > started.adding(deadline) {
                let open = tasks.filter { !$0.status.state.isFinished }
                if !open.isEmpty {
                    plan.actions.append(action(.cancel, ActionReason.deadlineExceeded.with(detail: "deadline=\(deadline)"),
                                               open.map { TaskAttemptRef(key: $0.status.key, attempt: $0.status.attemptsStarted) }))
                }
                continue
            }

            let running = tasks.filter { $0.status.state == .running }.count
            // A pull pool's attempts are offered to whoever claims them: only parallelism bounds them.
            let slots = pool.mode == .pull ? Int.max : (freeSlots[pool.scheduler] ?? 0)
            let initialCapacity = min(max(0, (pool.parallelism ?? Int.max) - running), slots)
            var capacity = initialCapacity
            tasks.sort { ($0.definition?.index ?? 0) < ($1.definition?.index ?? 0) }
            // A cluster scheduler throttles a job array itself (`%parallelism`): all the first
            // attempts go out as one array, and only retries wait for room here.
            let throttlesArrays = input.desired.schedulers[pool.scheduler]?.type.throttlesArrays ?? false
            var submits: [TaskAttemptRef] = []
            for task in tasks {
                let status = task.status
                if status.state == .pending && status.attemptsStarted == 0 && throttlesArrays {
                    submits.append(TaskAttemptRef(key: status.key, attempt: 1))
                } else if capacity <= 0 {
                    continue
                } else if status.state == .pending {
                    submits.append(TaskAttemptRef(key: status.key, attempt: status.attemptsStarted + 1))
                    capacity -= 1
                } else if status.state == .retrying, let next = status.nextTryAt, next <= input.now {
                    let last = status.lastOutcome?.summary ?? "failed"
                    plan.actions.append(action(.retry, ActionReason("task-failed", detail: "\(last) attempt=\(status.attemptsConsumed)/\(pool.retry.maxAttempts)"),
                                               [TaskAttemptRef(key: status.key, attempt: status.attemptsStarted + 1)]))
                    capacity -= 1
                }
            }
            if !submits.isEmpty { plan.actions.append(action(.submit, .taskPending, submits)) }
            if slots != Int.max { freeSlots[pool.scheduler] = slots - (initialCapacity - capacity) }
        }

        // Tasks the configuration no longer holds: cancel what has not finished.
        let desiredKeys = Set(input.desired.pools.values.flatMap { pool in pool.tasks.map { TaskID(pool: pool.name, key: $0.key) } })
        let removed = input.tasks.filter { !desiredKeys.contains($0.id) && !$0.state.isFinished }
        for (poolName, statuses) in Dictionary(grouping: removed, by: \.pool).sorted(by: { $0.key < $1.key }) {
            let id = ResourceID(.taskPool, poolName)
            let scheduler = input.desired.pools[poolName]?.scheduler
                // Any task's attempt names it: the first task may never have been submitted.
                ?? statuses.lazy.compactMap { attemptsByTask[$0.id]?.first?.scheduler }.first ?? ""
            if input.observed.unreachableSchedulers[scheduler] != nil { continue }
            plan.actions.append(PlannedAction(
                verb: .cancel, resource: id, reason: .removedFromConfig, provider: scheduler, template: "", templateHash: "",
                resourceVersion: plan.resourceVersions[id] ?? "",
                taskAttempts: statuses.sorted { $0.key < $1.key }.map { TaskAttemptRef(key: $0.key, attempt: $0.attemptsStarted) }))
        }
    }

    static func poolVersion(_ pool: TaskPoolSpec, tasks: [TaskStatus]) -> String {
        var hasher = StableHasher()
        hasher.combine(pool.specHash)
        for task in tasks.sorted(by: { $0.key < $1.key }) {
            hasher.combine(task.key)
            hasher.combine(task.state.rawValue)
            hasher.combine(task.attemptsStarted)
        }
        return hasher.hexDigest
    }
}

extension ActionReason {
    func with(detail: String) -> ActionReason { ActionReason(code, detail: detail) }
}

