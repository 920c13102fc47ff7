import OrbrecCore
import PropertyBased
import Testing

/// The dispatcher is the planner's pool rules kept incrementally: what it starts must be what
/// the planner would submit, and a pool driven by it alone must run every task to its end
/// without ever exceeding a pool's parallelism or a scheduler's slots.
@Suite struct TaskDispatcherTests {
    let now = Instant(millisecondsSinceEpoch: 50_000_000)

    func pool(_ name: String, keys: [String], parallelism: Int? = nil, maxAttempts: Int = 3) throws -> TaskPoolSpec {
        TaskPoolSpec(metadata: Metadata(name: name), scheduler: "cpu", command: [try CommandTemplate(parsing: "echo"), try CommandTemplate(parsing: "${item}")],
                     source: .items(keys), parallelism: parallelism,
                     retry: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .seconds(5), multiplier: 2, maxBackoff: .seconds(60), jitter: 0))
    }

    @Test func startsFillTheSlotsInDefinitionOrderAndEachEndStartsTheNext() throws {
        let sims = try pool("sims", keys: ["a", "b", "c", "d"])
        var dispatcher = TaskDispatcher(pools: [sims], tasks: [], slots: ["cpu": 2], runningBySchedulers: [:])
        #expect(dispatcher.starts(now: now).map(\.ref) == [TaskAttemptRef(key: "a", attempt: 1), TaskAttemptRef(key: "b", attempt: 1)])
        #expect(dispatcher.starts(now: now).isEmpty, "both slots taken")
        dispatcher.ended(TaskStatus(pool: "sims", key: "b", state: .completed, attemptsStarted: 1))
        #expect(dispatcher.starts(now: now).map(\.ref.key) == ["c"], "the freed slot is filled at once")
        #expect(dispatcher.counts(of: "sims") == TaskDispatcher.Counts(completed: 1, running: 2, pending: 1))
    }

    @Test func slotsAlreadyTakenElsewhereAndParallelismBound() throws {
        let alpha = try pool("alpha", keys: ["1", "2", "3"], parallelism: 1)
        let beta = try pool("beta", keys: ["1", "2", "3"])
        var dispatcher = TaskDispatcher(pools: [alpha, beta], tasks: [], slots: ["cpu": 4], runningBySchedulers: ["cpu": 1])
        let starts = dispatcher.starts(now: now)
        #expect(starts.filter { $0.pool == "alpha" }.count == 1, "alpha's parallelism")
        #expect(starts.filter { $0.pool == "beta" }.count == 2, "3 free slots in all, one went to alpha")
    }

    /// A scheduler that queues by itself (the local supervisor) is given `queueAhead` more
    /// attempts than its free slots and each pool's parallelism; it holds them to both limits.
    @Test func aQueueingSchedulerIsGivenItsLookAheadBeyondSlotsAndParallelism() throws {
        let sims = try pool("sims", keys: (1...20).map(String.init))
        var dispatcher = TaskDispatcher(pools: [sims], tasks: [], slots: ["cpu": 2], runningBySchedulers: ["cpu": 1], queueAhead: ["cpu": 8])
        #expect(dispatcher.starts(now: now).count == 9, "2 slots + 8 ahead, 1 taken")
        #expect(dispatcher.starts(now: now).isEmpty)
        dispatcher.ended(TaskStatus(pool: "sims", key: "1", state: .completed, attemptsStarted: 1))
        #expect(dispatcher.starts(now: now).map(\.ref.key) == ["10"], "an end makes room for one more")

        let narrow = try pool("narrow", keys: (1...20).map(String.init), parallelism: 3)
        var bounded = TaskDispatcher(pools: [narrow], tasks: [], slots: ["cpu": 16], runningBySchedulers: [:], queueAhead: ["cpu": 8])
        #expect(bounded.starts(now: now).count == 11, "the pool's parallelism 3 + 8 ahead")
        var unbounded = TaskDispatcher(pools: [narrow], tasks: [], slots: ["cpu": nil], runningBySchedulers: [:], queueAhead: [:])
        #expect(unbounded.starts(now: now).count == 3, "no look-ahead: the pool's parallelism alone")
    }

    @Test func aRetryWaitsForItsBackoffAndKeepsItsAttemptNumbers() throws {
        let sims = try pool("sims", keys: ["a"])
        let waiting = TaskStatus(pool: "sims", key: "a", state: .retrying, attemptsStarted: 2, attemptsConsumed: 1,
                                 nextTryAt: now.adding(.seconds(3)), lastOutcome: AttemptOutcome(exitCode: 3))
        var dispatcher = TaskDispatcher(pools: [sims], tasks: [waiting], slots: ["cpu": 2], runningBySchedulers: [:])
        #expect(dispatcher.starts(now: now).isEmpty)
        #expect(dispatcher.nextRetry == now.adding(.seconds(3)))
        let starts = dispatcher.starts(now: now.adding(.seconds(3)))
        #expect(starts.map(\.ref) == [TaskAttemptRef(key: "a", attempt: 3)])
        #expect(starts.first?.retrying == waiting, "the reason is made from how it waited")
    }

    @Test func aRequeuedTaskStartsAfterItsLastAttemptNumber() throws {
        let sims = try pool("sims", keys: ["a", "b"])
        let requeued = TaskStatus(pool: "sims", key: "a", state: .pending, attemptsStarted: 3)
        var dispatcher = TaskDispatcher(pools: [sims], tasks: [requeued], slots: ["cpu": nil], runningBySchedulers: [:])
        #expect(dispatcher.starts(now: now).map(\.ref) == [TaskAttemptRef(key: "a", attempt: 4), TaskAttemptRef(key: "b", attempt: 1)])
    }

    @Test func aStoppedPoolStartsNothingMoreAndDrainsWithItsRunningAttempts() throws {
        let sims = try pool("sims", keys: ["a", "b", "c"])
        var dispatcher = TaskDispatcher(pools: [sims], tasks: [], slots: ["cpu": 1], runningBySchedulers: [:])
        #expect(dispatcher.starts(now: now).count == 1)
        dispatcher.stop("sims")
        #expect(!dispatcher.isDrained, "a attempt still runs")
        dispatcher.ended(TaskStatus(pool: "sims", key: "a", state: .completed, attemptsStarted: 1))
        #expect(dispatcher.starts(now: now).isEmpty)
        #expect(dispatcher.isDrained)
    }

    /// A random world of pools and journaled tasks: the dispatcher's first starts are the
    /// planner's submits and retries, pool by pool (the same number, and the same tasks when
    /// there is room for all).
    @Test func itStartsWhatThePlannerSubmits() async throws {
        let input = zip(Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...6), Gen.int(in: 0...3))
        await propertyCheck(count: 300, input: input) { seed, slots, busy in
            var random = SplitMix64(seed: seed)
            var pools: [TaskPoolSpec] = []
            var tasks: [TaskStatus] = []
            var attempts: [ObservedAttempt] = []
            for name in ["alpha", "beta", "gamma"].prefix(Int.random(in: 1...3, using: &random)) {
                let keys = (0..<Int.random(in: 0...6, using: &random)).map { "k\($0)" }
                let parallelism: Int? = Bool.random(using: &random) ? Int.random(in: 1...4, using: &random) : nil
                pools.append(try! pool(name, keys: keys, parallelism: parallelism))
                for key in keys where Bool.random(using: &random) {
                    let states: [TaskState] = [.pending, .running, .retrying, .completed, .deadLetter, .cancelled]
                    let state = states[Int.random(in: 0..<states.count, using: &random)]
                    let started = state == .pending ? Int.random(in: 0...2, using: &random) : Int.random(in: 1...3, using: &random)
                    let next: Instant? = state == .retrying ? now.adding(.seconds(Int64.random(in: -5...5, using: &random))) : nil
                    tasks.append(TaskStatus(pool: name, key: key, state: state, attemptsStarted: started, attemptsConsumed: 1, nextTryAt: next,
                                            lastOutcome: state == .retrying ? AttemptOutcome(exitCode: 1) : nil))
                    if state == .running {
                        attempts.append(ObservedAttempt(scheduler: "cpu", task: TaskID(pool: name, key: key), attempt: started, jobID: "j"))
                    }
                }
            }
            // Attempts of pools the dispatcher does not move take slots too.
            for index in 0..<busy {
                attempts.append(ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "elsewhere", key: "\(index)"), attempt: 1, jobID: "j"))
            }
            let desired = DesiredState(schedulers: [SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local, slots: slots)], pools: pools)
            let plan = try! Planner().plan(PlanInput(desired: desired, observed: ObservedState(attempts: attempts), tasks: tasks, now: now))
            var dispatcher = TaskDispatcher(pools: pools, tasks: tasks, slots: ["cpu": slots], runningBySchedulers: ["cpu": attempts.count])
            let starts = dispatcher.starts(now: now)
            for pool in pools {
                let planned = plan.actions.filter { $0.resource == pool.id && ($0.verb == .submit || $0.verb == .retry) }.flatMap(\.taskAttempts)
                let started = starts.filter { $0.pool == pool.name }.map(\.ref)
                #expect(started.count == planned.count, "pool \(pool.name): dispatcher \(started), planner \(planned)")
                let startable = tasks.filter { $0.pool == pool.name && ($0.state == .pending || ($0.state == .retrying && $0.nextTryAt! <= now)) }.count
                    + pool.tasks.filter { definition in !tasks.contains { $0.pool == pool.name && $0.key == definition.key } }.count
                if started.count == startable {
                    #expect(Set(started) == Set(planned), "pool \(pool.name): room for all, the same attempts")
                }
            }
        }
    }

    /// Pools run to their end on the dispatcher alone, with random outcomes: nothing exceeds
    /// parallelism or slots, attempt numbers only grow, every task ends completed or dead.
    @Test func poolsRunToTheirEndWithinTheirBounds() async throws {
        let input = zip(Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...4))
        await propertyCheck(count: 200, input: input) { seed, slots in
            var random = SplitMix64(seed: seed)
            let pools = (0..<Int.random(in: 1...3, using: &random)).map { index in
                try! pool("p\(index)", keys: (0..<Int.random(in: 1...12, using: &random)).map { "k\($0)" },
                          parallelism: Bool.random(using: &random) ? Int.random(in: 1...3, using: &random) : nil, maxAttempts: 2)
            }
            var dispatcher = TaskDispatcher(pools: pools, tasks: [], slots: ["cpu": slots], runningBySchedulers: [:])
            var running: [TaskID: TaskStatus] = [:]
            var ended: [TaskID: TaskStatus] = [:]
            var clock = now
            var steps = 0
            while !dispatcher.isDrained && steps < 10_000 {
                steps += 1
                for start in dispatcher.starts(now: clock) {
                    let id = TaskID(pool: start.pool, key: start.ref.key)
                    let before = start.retrying ?? ended[id] ?? TaskStatus(pool: start.pool, key: start.ref.key)
                    #expect(start.ref.attempt == before.attemptsStarted + 1, "attempt numbers only grow by one")
                    var now = before
                    now.state = .running
                    now.attemptsStarted = start.ref.attempt
                    running[id] = now
                }
                #expect(running.count <= slots, "the scheduler's slots")
                for pool in pools {
                    #expect(running.keys.filter { $0.pool == pool.name }.count <= (pool.parallelism ?? Int.max), "pool \(pool.name)'s parallelism")
                }
                guard let id = running.keys.randomElement(using: &random), let status = running.removeValue(forKey: id) else {
                    clock = dispatcher.nextRetry ?? clock.adding(.seconds(1))
                    continue
                }
                let outcome = Bool.random(using: &random) ? AttemptOutcome(exitCode: 0) : AttemptOutcome(exitCode: 1)
                let transition = TaskLifecycle.finish(status, attempt: status.attemptsStarted, outcome: outcome,
                                                      policy: pools.first { $0.name == id.pool }!.retry, now: clock, jitterSample: 0)
                ended[id] = transition.task
                dispatcher.ended(transition.task)
            }
            #expect(dispatcher.isDrained, "drained after \(steps) steps")
            for pool in pools {
                for definition in pool.tasks {
                    let state = ended[TaskID(pool: pool.name, key: definition.key)]?.state
                    #expect(state == .completed || state == .deadLetter, "\(pool.name)/\(definition.key) ended \(String(describing: state))")
                }
            }
        }
    }
}
