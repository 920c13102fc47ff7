import OrbrecCore
import OrbrecTestSupport
import Testing

@Suite struct PoolPlannerTests {
    let now = Instant(millisecondsSinceEpoch: 10_000_000)

    func pool(_ name: String = "sims", keys: [String], parallelism: Int? = nil, maxAttempts: Int = 3,
              deadline: ConfigDuration? = nil) throws -> TaskPoolSpec {
        TaskPoolSpec(metadata: Metadata(name: name), scheduler: "cpu", command: [try CommandTemplate(parsing: "echo"), try CommandTemplate(parsing: "${item}")],
                     source: .items(keys), parallelism: parallelism,
                     retry: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .seconds(5), multiplier: 2, maxBackoff: .seconds(60), jitter: 0),
                     deadline: deadline)
    }

    func plan(_ pools: [TaskPoolSpec], slots: Int = 8, tasks: [TaskStatus] = [], attempts: [ObservedAttempt] = [],
              started: [String: Instant] = [:]) throws -> Plan {
        let desired = DesiredState(schedulers: [SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local, slots: slots)], pools: pools)
        return try Planner().plan(PlanInput(desired: desired, observed: ObservedState(attempts: attempts), tasks: tasks,
                                            poolStartedAt: started, now: now))
    }

    func running(_ key: String, attempt: Int = 1, pool: String = "sims") -> ObservedAttempt {
        ObservedAttempt(scheduler: "cpu", task: TaskID(pool: pool, key: key), attempt: attempt, jobID: "local:\(key)")
    }

    @Test func pendingTasksAreSubmittedUpToParallelism() throws {
        let result = try plan([try pool(keys: ["a", "b", "c", "d"], parallelism: 2)])
        #expect(result.actions.count == 1)
        #expect(result.actions[0].verb == .submit)
        #expect(result.actions[0].taskAttempts == [TaskAttemptRef(key: "a", attempt: 1), TaskAttemptRef(key: "b", attempt: 1)])
        #expect(result.summary[.submit] == 2)
    }

    @Test func schedulerSlotsAreSharedAcrossPools() throws {
        let result = try plan([try pool("a", keys: ["1", "2", "3"]), try pool("b", keys: ["1", "2", "3"])], slots: 4)
        #expect(result.actions.map(\.taskAttempts.count) == [3, 1])
        let busy = try plan([try pool("a", keys: ["1", "2", "3"])], slots: 2,
                            tasks: [TaskStatus(pool: "a", key: "1", state: .running, attemptsStarted: 1)],
                            attempts: [running("1", pool: "a"), ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "other", key: "x"), attempt: 1, jobID: "j")])
        #expect(busy.actions.isEmpty, "two slots, both taken")
    }

    @Test func runningTasksAreLeftAlone() throws {
        let result = try plan([try pool(keys: ["a"])], tasks: [TaskStatus(pool: "sims", key: "a", state: .running, attemptsStarted: 1)],
                              attempts: [running("a")])
        #expect(result.actions.isEmpty)
    }

    @Test func completedTasksNeverRunAgain() throws {
        let result = try plan([try pool(keys: ["a", "b"])],
                              tasks: [TaskStatus(pool: "sims", key: "a", state: .completed, attemptsStarted: 1)])
        #expect(result.actions.flatMap(\.taskAttempts).map(\.key) == ["b"])
    }

    @Test func aFailedAttemptIsRetriedOnlyAfterItsBackoff() throws {
        let waiting = TaskStatus(pool: "sims", key: "a", state: .retrying, attemptsStarted: 1, attemptsConsumed: 1,
                                 nextTryAt: now.adding(.seconds(1)), lastOutcome: AttemptOutcome(exitCode: 3))
        #expect(try plan([try pool(keys: ["a"])], tasks: [waiting]).actions.isEmpty)
        var due = waiting
        due.nextTryAt = now
        let result = try plan([try pool(keys: ["a"])], tasks: [due])
        #expect(result.actions.map(\.verb) == [.retry])
        #expect(result.actions[0].taskAttempts == [TaskAttemptRef(key: "a", attempt: 2)])
        #expect(result.actions[0].reason.description == "task-failed exit=3 attempt=1/3")
    }

    @Test func anAttemptThatEndedIsSettledAndTheLastFailureDeadLetters() throws {
        let task = TaskStatus(pool: "sims", key: "a", state: .running, attemptsStarted: 3, attemptsConsumed: 2)
        var ended = running("a", attempt: 3)
        ended.outcome = AttemptOutcome(exitCode: 1)
        let result = try plan([try pool(keys: ["a"])], tasks: [task], attempts: [ended])
        #expect(result.actions.map(\.verb) == [.deadLetter])
        #expect(result.actions[0].reason.description == "task-failed exit=1 attempt=3/3")
    }

    @Test func aVanishedAttemptIsLostAndRetriedWithoutConsumingOne() throws {
        let task = TaskStatus(pool: "sims", key: "a", state: .running, attemptsStarted: 1, attemptsConsumed: 0)
        let settled = try #require(TaskLifecycle.settle(task, attempts: [], policy: try pool(keys: ["a"]).retry, now: now, jitterSample: 0))
        #expect(settled.task.state == .retrying)
        #expect(settled.task.attemptsConsumed == 0)
        #expect(settled.failureClass == .infra)
        #expect(settled.cause.contains("lost"))
        #expect(TaskLifecycle.settle(task, attempts: [running("a")], policy: try pool(keys: ["a"]).retry, now: now, jitterSample: 0) == nil)
    }

    @Test func tasksRemovedFromTheConfigurationAreCancelled() throws {
        let result = try plan([try pool(keys: ["a"])], tasks: [
            TaskStatus(pool: "sims", key: "a", state: .completed, attemptsStarted: 1),
            TaskStatus(pool: "sims", key: "gone", state: .running, attemptsStarted: 2),
            TaskStatus(pool: "sims", key: "done", state: .completed, attemptsStarted: 1),
        ], attempts: [running("gone", attempt: 2)])
        #expect(result.actions.map(\.verb) == [.cancel])
        #expect(result.actions[0].reason == .removedFromConfig)
        #expect(result.actions[0].taskAttempts == [TaskAttemptRef(key: "gone", attempt: 2)])
    }

    @Test func aPoolPastItsDeadlineCancelsWhatIsLeft() throws {
        let result = try plan([try pool(keys: ["a", "b"], deadline: .seconds(60))],
                              tasks: [TaskStatus(pool: "sims", key: "a", state: .completed, attemptsStarted: 1)],
                              started: ["sims": now.adding(ConfigDuration(milliseconds: -61_000))])
        #expect(result.actions.map(\.verb) == [.cancel])
        #expect(result.actions[0].reason.code == "deadline-exceeded")
        #expect(result.actions[0].taskAttempts.map(\.key) == ["b"])
    }

    @Test func matrixAndRangeExpandToStableKeys() throws {
        let matrix = TaskPoolSpec(metadata: Metadata(name: "m"), scheduler: "cpu",
                                  command: [try CommandTemplate(parsing: "run"), try CommandTemplate(parsing: "--mesh=${mesh}"),
                                            try CommandTemplate(parsing: "${seed}/${index}/${attempt}/${pool}")],
                                  source: .matrix([.init(name: "mesh", values: ["coarse", "fine"]), .init(name: "seed", values: ["1", "2"])]))
        #expect(matrix.tasks.map(\.key) == ["mesh=coarse,seed=1", "mesh=coarse,seed=2", "mesh=fine,seed=1", "mesh=fine,seed=2"])
        #expect(matrix.argv(for: matrix.tasks[3], attempt: 2) == ["run", "--mesh=fine", "2/3/2/m"])
        let range = TaskPoolSpec(metadata: Metadata(name: "r"), scheduler: "cpu", command: [try CommandTemplate(parsing: "${item}")],
                                 source: .range(from: 3, to: 5))
        #expect(range.tasks.map(\.key) == ["3", "4", "5"])
    }
}
