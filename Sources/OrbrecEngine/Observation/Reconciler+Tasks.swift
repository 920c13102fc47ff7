internal import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Asks every scheduler for the attempts it runs or finished for this state. With `open`
    /// (the journal's open attempts), each scheduler is asked about those only, at a cost in
    /// proportion to them; without, about everything it holds (recovery after a crash).
    func observeAttempts(_ registry: SchedulerRegistry, open: [AttemptHandle]?) async -> ([ObservedAttempt], [String: String]) {
        let owner = store.stateID
        var attempts: [ObservedAttempt] = []
        var unreachable: [String: String] = [:]
        let openByScheduler = Dictionary(grouping: open ?? [], by: \.scheduler)
        await withTaskGroup(of: (String, [ObservedAttempt], String?).self) { group in
            for (name, scheduler) in registry.schedulers {
                group.addTask {
                    do {
                        if open != nil {
                            return (name, try await scheduler.attempts(ownedBy: owner, open: openByScheduler[name] ?? []), nil)
                        }
                        return (name, try await scheduler.attempts(ownedBy: owner), nil)
                    } catch let error as ProviderError {
                        return (name, [], error.description)
                    } catch {
                        return (name, [], "\(error)")
                    }
                }
            }
            for await (name, found, problem) in group {
                if let problem { unreachable[name] = problem } else { attempts += found }
            }
        }
        return (attempts.sorted { ($0.task, $0.attempt) < ($1.task, $1.attempt) }, unreachable)
    }

    /// Records the end of every running task's attempt the schedulers report as ended or no
    /// longer know, through the task lifecycle, with real jitter on the next try.
    func settleTasks(_ tasks: [TaskStatus], desired: DesiredState, observed: ObservedState, open: [AttemptHandle]) async throws {
        let attemptsByTask = Dictionary(grouping: observed.attempts, by: \.task)
        var generator = SystemRandomNumberGenerator()
        let openByAttempt = Dictionary(open.map { (AttemptKey(task: $0.task, attempt: $0.attempt), $0) }, uniquingKeysWith: { first, _ in first })
        var settlements: [StateStore.Settlement] = []
        let now = clock.now()
        for task in tasks where task.state == .running {
            // The scheduler of the task's current attempt: from the open attempts (indexed), or,
            // for the rare attempt the journal holds closed under a running task, from its row.
            let scheduler: String
            if let handle = openByAttempt[AttemptKey(task: task.id, attempt: task.attemptsStarted)] {
                scheduler = handle.scheduler
            } else if let row = try await store.attempts(pool: task.pool, key: task.key).first(where: { $0.attempt == task.attemptsStarted }) {
                scheduler = row.scheduler
            } else {
                continue
            }
            guard observed.unreachableSchedulers[scheduler] == nil else { continue }
            let policy = desired.pools[task.pool]?.retry ?? .default
            let sample = Double.random(in: -1...1, using: &generator)
            guard let transition = TaskLifecycle.settle(task, attempts: attemptsByTask[task.id] ?? [], policy: policy,
                                                        now: now, jitterSample: sample) else { continue }
            let report = attemptsByTask[task.id]?.first { $0.attempt == task.attemptsStarted }
            settlements.append(StateStore.Settlement(transition: transition, attempt: task.attemptsStarted,
                                                     outcome: transition.task.lastOutcome ?? AttemptOutcome(lost: true), jobID: report?.jobID))
        }
        try await store.settle(settlements, at: now)
    }
}
