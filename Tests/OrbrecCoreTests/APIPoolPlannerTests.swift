import OrbrecCore
import Testing

/// Pools whose tasks are posted to the API (`source: api`): the planner runs the journal's tasks
/// as it runs a file's, cancels those someone asked to cancel, and never starts a task whose
/// argv would lack an argument.
@Suite struct APIPoolPlannerTests {
    let now = Instant(millisecondsSinceEpoch: 20_000_000)

    func apiPool(_ name: String = "jobs", command: [String] = ["run", "${key}", "--seed=${args.seed}"], parallelism: Int? = nil,
                 maxAttempts: Int = 3) throws -> TaskPoolSpec {
        TaskPoolSpec(metadata: Metadata(name: name), scheduler: "cpu", command: try command.map { try CommandTemplate(parsing: $0) },
                     source: .api([]), parallelism: parallelism,
                     retry: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .seconds(5), multiplier: 2, maxBackoff: .seconds(60), jitter: 0))
    }

    func posted(_ key: String, seed: String? = "1", sequence: Int64, pool: String = "jobs", cancelled: Bool = false) -> APITask {
        APITask(pool: pool, key: key, args: seed.map { ["seed": $0] } ?? [:], sequence: sequence, actor: "api@127.0.0.1",
                createdAt: Instant(millisecondsSinceEpoch: 1_000 + sequence), cancelRequestedAt: cancelled ? now : nil)
    }

    func desired(_ pools: [TaskPoolSpec], posted: [APITask], slots: Int = 8) -> DesiredState {
        DesiredState(schedulers: [SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local, slots: slots)], pools: pools)
            .applying(apiTasks: posted)
    }

    func plan(_ desired: DesiredState, tasks: [TaskStatus] = [], attempts: [ObservedAttempt] = []) throws -> Plan {
        try Planner().plan(PlanInput(desired: desired, observed: ObservedState(attempts: attempts), tasks: tasks, poolStartedAt: [:], now: now))
    }

    @Test func postedTasksRunInTheOrderPostedWithTheirArgsAsArgv() throws {
        let state = desired([try apiPool(parallelism: 2)], posted: [posted("c", seed: "3", sequence: 9), posted("a", seed: "1", sequence: 4),
                                                                    posted("b", seed: "2", sequence: 7)])
        let pool = try #require(state.pools["jobs"])
        #expect(pool.tasks.map(\.key) == ["a", "b", "c"], "posting order, not key order")
        #expect(pool.argv(for: pool.tasks[2], attempt: 1) == ["run", "c", "--seed=3"])
        let result = try plan(state)
        #expect(result.actions.map(\.verb) == [.submit])
        #expect(result.actions[0].taskAttempts == [TaskAttemptRef(key: "a", attempt: 1), TaskAttemptRef(key: "b", attempt: 1)],
                "parallelism 2, the first posted first")
    }

    @Test func aPoolWithNoTaskPostedPlansNothingAndIsNotAPoolOfTheFile() throws {
        let state = desired([try apiPool()], posted: [posted("x", sequence: 1, pool: "elsewhere")])
        #expect(state.pools["jobs"]?.tasks.isEmpty == true)
        #expect(try plan(state).actions.isEmpty)
        // A task left of a pool that is no longer an api pool (or gone) is cancelled as an item removed from a file.
        let removed = try plan(desired([try apiPool()], posted: []),
                               tasks: [TaskStatus(pool: "jobs", key: "old", state: .pending)])
        #expect(removed.actions.map(\.reason) == [.removedFromConfig])
    }

    @Test func theSpecHashDoesNotMoveWhenATaskIsPosted() throws {
        let empty = try apiPool()
        let filled = try #require(desired([empty], posted: [posted("a", sequence: 1)]).pools["jobs"])
        #expect(filled.tasks.count == 1)
        #expect(filled.specHash == empty.specHash, "a task posted is not a new generation of the pool")
        var other = empty
        other.parallelism = 3
        #expect(other.specHash != empty.specHash, "the rest of the pool still counts")
        let fromFile = TaskPoolSpec(metadata: Metadata(name: "jobs"), scheduler: "cpu", command: empty.command, source: .items([]),
                                    retry: empty.retry)
        #expect(fromFile.specHash != empty.specHash, "source: api is part of the hash")
        let before = try plan(desired([empty], posted: [posted("a", sequence: 1)])).resourceVersions[empty.id]
        let after = try plan(desired([empty], posted: [posted("a", sequence: 1), posted("b", sequence: 2)])).resourceVersions[empty.id]
        #expect(before != nil && before != after, "a saved plan is stale once another task is posted")
    }

    @Test func aCancelRequestedTaskIsCancelledAndNeverStarted() throws {
        let state = desired([try apiPool()], posted: [posted("a", sequence: 1, cancelled: true), posted("b", sequence: 2, cancelled: true),
                                                     posted("c", sequence: 3), posted("d", sequence: 4, cancelled: true)])
        #expect(state.cancelling == [TaskID(pool: "jobs", key: "a"), TaskID(pool: "jobs", key: "b"), TaskID(pool: "jobs", key: "d")])
        let result = try plan(state, tasks: [TaskStatus(pool: "jobs", key: "b", state: .running, attemptsStarted: 1),
                                             TaskStatus(pool: "jobs", key: "d", state: .completed, attemptsStarted: 1)],
                              attempts: [ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "jobs", key: "b"), attempt: 1, jobID: "local:b")])
        let cancel = try #require(result.actions.first { $0.verb == .cancel })
        #expect(cancel.reason == .cancelRequested)
        #expect(cancel.taskAttempts == [TaskAttemptRef(key: "a", attempt: 0), TaskAttemptRef(key: "b", attempt: 1)],
                "the pending one and the running one; the completed one stays completed")
        #expect(result.actions.filter { $0.verb == .submit }.flatMap(\.taskAttempts).map(\.key) == ["c"])
        // Once cancelled, nothing more is planned for them.
        let after = try plan(state, tasks: [TaskStatus(pool: "jobs", key: "a", state: .cancelled), TaskStatus(pool: "jobs", key: "b", state: .cancelled),
                                            TaskStatus(pool: "jobs", key: "c", state: .completed, attemptsStarted: 1),
                                            TaskStatus(pool: "jobs", key: "d", state: .completed, attemptsStarted: 1)])
        #expect(after.actions.isEmpty)
    }

    @Test func aFailingTaskIsRetriedThenDeadLetteredWithThePoolsPolicy() throws {
        let state = desired([try apiPool(maxAttempts: 2)], posted: [posted("a", sequence: 1)])
        var ended = ObservedAttempt(scheduler: "cpu", task: TaskID(pool: "jobs", key: "a"), attempt: 2, jobID: "local:a")
        ended.outcome = AttemptOutcome(exitCode: 1)
        let result = try plan(state, tasks: [TaskStatus(pool: "jobs", key: "a", state: .running, attemptsStarted: 2, attemptsConsumed: 1)],
                              attempts: [ended])
        #expect(result.actions.map(\.verb) == [.deadLetter])
        #expect(result.actions[0].reason.description == "task-failed exit=1 attempt=2/2")
    }

    @Test func aTaskLackingAnArgumentTheCommandNowUsesWaitsWithAWarning() throws {
        // Posted before the command used ${args.mesh}: its argv would hold "" where the argument goes.
        let pool = try apiPool(command: ["run", "${args.seed}", "${args.mesh}"])
        var old = posted("old", seed: "1", sequence: 1)
        var fresh = posted("fresh", seed: "2", sequence: 2)
        fresh.args["mesh"] = "fine"
        old.args["other"] = "x"
        let state = desired([pool], posted: [old, fresh])
        #expect(pool.commandArgs == ["mesh", "seed"])
        let filled = try #require(state.pools["jobs"])
        #expect(filled.unboundVariables(of: filled.tasks[0]) == ["args.mesh"])
        #expect(filled.unboundVariables(of: filled.tasks[1]).isEmpty)
        let result = try plan(state)
        #expect(result.actions.flatMap(\.taskAttempts).map(\.key) == ["fresh"])
        let warning = try #require(result.warnings.first { $0.code == "task-args-missing" })
        #expect(warning.message.contains("${args.mesh}") && warning.message.contains("'old'"), "\(warning.message)")
        // The flow's dispatcher is given the same tasks to start.
        #expect(filled.startable(cancelling: []).tasks.map(\.key) == ["fresh"])
        #expect(filled.startable(cancelling: [TaskID(pool: "jobs", key: "fresh")]).tasks.isEmpty)
    }

    @Test func theRulesRefuseKeysAndArgsThatCannotBeCarried() throws {
        let pool = try apiPool()
        #expect(APITaskRules.keyProblem("a/b c; rm -rf $(id)") == nil, "any one line of text is a key")
        #expect(APITaskRules.keyProblem("") != nil)
        #expect(APITaskRules.keyProblem("two\nlines") != nil)
        #expect(APITaskRules.keyProblem(String(repeating: "/", count: 86)) != nil, "86 × 3 bytes as a file name")
        #expect(APITaskRules.argsProblem(["seed": "; rm -rf / $(id) \"'\n"], for: pool) == nil, "any text is an argument")
        #expect(APITaskRules.argsProblem([:], for: pool)?.contains("${args.seed}") == true, "never substituted empty")
        #expect(APITaskRules.argsProblem(["seed": "1", "bad name": "x"], for: pool) != nil)
        #expect(APITaskRules.argsProblem(["seed": "1", "9lives": "x"], for: pool) != nil)
        #expect(APITaskRules.argsProblem(["seed": "a\u{0}b"], for: pool) != nil)
        #expect(APITaskRules.argsProblem(["seed": String(repeating: "x", count: APITaskRules.maxArgValueBytes + 1)], for: pool) != nil)
        let many = Dictionary(uniqueKeysWithValues: (0...APITaskRules.maxArgs).map { ("a\($0)", "v") })
        #expect(APITaskRules.argsProblem(many.merging(["seed": "1"]) { a, _ in a }, for: pool) != nil)
        #expect(APITaskRules.argName(ofVariable: "args.seed") == "seed")
        #expect(APITaskRules.argName(ofVariable: "seed") == nil)
        #expect(try CommandTemplate(parsing: "--x=${args.seed}").variables == ["args.seed"])
        #expect(throws: CommandTemplate.ParseError.self) { try CommandTemplate(parsing: "${args.}") }
        #expect(throws: CommandTemplate.ParseError.self) { try CommandTemplate(parsing: "${.x}") }
    }
}
