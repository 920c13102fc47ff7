internal import OrbrecCore
internal import OrbrecStore

/// Carries out task actions through the scheduler port: attempts are journaled (task
/// `running`, attempt `submitting`) before the scheduler is asked to start them.
struct TaskActionExecutor: Sendable {
    let store: StateStore
    let schedulers: SchedulerRegistry
    let clock: any Clock
    let desired: DesiredState
    /// What the schedulers reported in this pass, to find the jobs to cancel.
    let attempts: [ObservedAttempt]
    let tasks: [TaskStatus]
    let checkpoint: Checkpoint

    func execute(_ scheduled: ScheduledAction) async -> ActionOutcome {
        let action = scheduled.action
        do {
            switch action.verb {
            case .submit, .retry:
                return try await submit(scheduled)
            case .cancel:
                return try await cancel(scheduled)
            case .deadLetter:
                try await store.markIssuingWithoutRequest(actionID: scheduled.id, at: clock.now())
                let statuses = action.taskAttempts.compactMap { ref in tasks.first { $0.pool == action.resource.name && $0.key == ref.key } }
                    .map { status -> TaskStatus in
                        var dead = status
                        dead.state = .deadLetter
                        return dead
                    }
                try await store.setTasks(statuses, cause: action.reason.description, at: clock.now())
                return try await finish(scheduled, succeeded: true, "\(statuses.count) task(s) dead-lettered")
            default:
                return try await finish(scheduled, succeeded: false, "verb \(action.verb.rawValue) is not a task action")
            }
        } catch {
            return await (try? finish(scheduled, succeeded: false, "journal: \(error)"))
                ?? ActionOutcome(id: scheduled.id, action: action, succeeded: false, message: "journal: \(error)", requests: [])
        }
    }

    private func submit(_ scheduled: ScheduledAction) async throws -> ActionOutcome {
        let action = scheduled.action
        guard let pool = desired.pools[action.resource.name] else {
            return try await finish(scheduled, succeeded: false, "\(action.resource) is not in the configuration")
        }
        guard let scheduler = schedulers[pool.scheduler] else {
            return try await finish(scheduled, succeeded: false, "scheduler \(pool.scheduler) is not available")
        }
        let definitions = Dictionary(pool.tasks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        try await store.markSubmitting(actionID: scheduled.id, scheduler: pool.scheduler, pool: pool.name, attempts: action.taskAttempts,
                                       at: clock.now())
        checkpoint("action.after-issuing")
        let order = SubmitOrder(
            owner: store.stateID, actionID: scheduled.id, pool: pool.name, env: pool.env, workdir: pool.workdir,
            walltime: pool.resources.walltime,
            attempts: action.taskAttempts.compactMap { ref in
                definitions[ref.key].map { SubmitOrder.Attempt(key: ref.key, attempt: ref.attempt, argv: pool.argv(for: $0, attempt: ref.attempt)) }
            }, resources: pool.resources, parallelism: pool.parallelism)
        let reports = await scheduler.submit(order)
        checkpoint("action.after-provider")
        let started = reports.compactMap { report in report.jobID.map { (key: report.task.key, attempt: report.attempt, jobID: $0) } }
        try await store.markSubmitted(pool: pool.name, started: started, at: clock.now())
        // An attempt the scheduler could not start is an infra failure: it does not count.
        var failures: [String] = []
        // Whether an attempt whose answer was lost started is for observation to find.
        for report in reports where report.jobID == nil && report.error?.code != ProviderError.outcomeUnknown {
            // From the task as it was, so that its earlier losses count towards the infra allowance.
            var status = tasks.first { $0.id == report.task } ?? TaskStatus(pool: pool.name, key: report.task.key)
            status.state = .running
            status.attemptsStarted = report.attempt
            let outcome = AttemptOutcome.notStarted(report.error)
            let transition = TaskLifecycle.finish(status, attempt: report.attempt, outcome: outcome, policy: pool.retry,
                                                  now: clock.now(), jitterSample: 0)
            try await store.settle(transition, attempt: report.attempt, outcome: outcome, jobID: nil, at: clock.now())
            failures.append("\(TextEscaping.quoted(report.task.key, limit: 80)): \(report.error?.description ?? "not started")")
        }
        let message = "\(started.count) of \(reports.count) attempt(s) started on \(pool.scheduler)"
            + (failures.isEmpty ? "" : ": " + failures.prefix(3).joined(separator: "; "))
        return try await finish(scheduled, succeeded: failures.isEmpty, message)
    }

    private func cancel(_ scheduled: ScheduledAction) async throws -> ActionOutcome {
        let action = scheduled.action
        try await store.markIssuingWithoutRequest(actionID: scheduled.id, at: clock.now())
        let keys = Set(action.taskAttempts.map(\.key))
        let running = attempts.filter { $0.task.pool == action.resource.name && keys.contains($0.task.key) && $0.isRunning }
        var problems: [String] = []
        var endedMeanwhile: Set<String> = []
        if !running.isEmpty, let scheduler = schedulers[action.provider] {
            for report in await scheduler.cancel(running) {
                if report.alreadyEnded { endedMeanwhile.insert(report.task.key) }
                if let error = report.error { problems.append("\(report.task.key): \(error.description)") }
            }
        }
        // Tasks never submitted have no record yet: they are cancelled all the same.
        let known = Dictionary(tasks.filter { $0.pool == action.resource.name }.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let cancelled = keys.sorted().compactMap { key -> TaskStatus? in
            var status = known[key] ?? TaskStatus(pool: action.resource.name, key: key)
            // An attempt that ended by itself since the pass looked keeps its end (a worker that was
            // told "completed" stays completed); the next look settles it.
            guard !status.state.isFinished, !endedMeanwhile.contains(key) else { return nil }
            status.state = .cancelled
            status.nextTryAt = nil
            return status
        }
        try await store.setTasks(cancelled, cause: action.reason.description, at: clock.now())
        try await store.markAttemptsCancelled(pool: action.resource.name, keys: cancelled.map(\.key), at: clock.now())
        return try await finish(scheduled, succeeded: problems.isEmpty,
                                "\(cancelled.count) task(s) cancelled, \(running.count) running attempt(s) stopped"
                              + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; ")))
    }

    private func finish(_ scheduled: ScheduledAction, succeeded: Bool, _ message: String) async throws -> ActionOutcome {
        try await store.finishAction(id: scheduled.id, state: succeeded ? .succeeded : .failed, error: succeeded ? nil : message, at: clock.now())
        return ActionOutcome(id: scheduled.id, action: scheduled.action, succeeded: succeeded, message: message, requests: [])
    }
}
