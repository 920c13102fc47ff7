internal import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Asks every scheduler for the attempts it runs or finished for this state.
    func observeAttempts(_ registry: SchedulerRegistry, tasks: [TaskRecord]) async -> ([ObservedAttempt], [String: String]) {
        let owner = store.stateID
        var attempts: [ObservedAttempt] = []
        var unreachable: [String: String] = [:]
        await withTaskGroup(of: (String, [ObservedAttempt], String?).self) { group in
            for (name, scheduler) in registry.schedulers {
                group.addTask {
                    do {
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
    func settleTasks(_ tasks: [TaskRecord], desired: DesiredState, observed: ObservedState) throws {
        let attemptsByTask = Dictionary(grouping: observed.attempts, by: \.task)
        var generator = SystemRandomNumberGenerator()
        let running = tasks.filter { $0.state == .running }
        // One read per pool rather than one per task, one write for all that ended.
        var rowsByTask: [TaskID: [AttemptRecord]] = [:]
        for pool in Set(running.map(\.pool)) {
            for row in try store.attempts(pool: pool) { rowsByTask[TaskID(pool: row.pool, key: row.key), default: []].append(row) }
        }
        var settlements: [StateStore.Settlement] = []
        let now = clock.now()
        for record in running {
            let rows = rowsByTask[record.status.id] ?? []
            guard let current = rows.first(where: { $0.attempt == record.attemptsStarted }),
                  observed.unreachableSchedulers[current.scheduler] == nil else { continue }
            let policy = desired.pools[record.pool]?.retry ?? .default
            let sample = Double.random(in: -1...1, using: &generator)
            guard let transition = TaskLifecycle.settle(record.status, attempts: attemptsByTask[record.status.id] ?? [], policy: policy,
                                                        now: now, jitterSample: sample) else { continue }
            let report = attemptsByTask[record.status.id]?.first { $0.attempt == record.attemptsStarted }
            settlements.append(StateStore.Settlement(transition: transition, attempt: record.attemptsStarted,
                                                     outcome: transition.task.lastOutcome ?? AttemptOutcome(lost: true), jobID: report?.jobID))
        }
        try store.settle(settlements, at: now)
    }
}
