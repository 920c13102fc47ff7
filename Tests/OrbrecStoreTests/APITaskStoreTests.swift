import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// Tasks posted to api pools in the journal, on both backends: written once with an event, a
/// key or an Idempotency-Key answering the task it made, read in the order posted, paged with
/// their state, and cancel requests kept.
@Suite struct APITaskStoreTests {
    static func task(_ key: String, pool: String = "jobs", args: [String: String] = ["seed": "1"], at time: Int64 = 1_000) -> APITask {
        APITask(pool: pool, key: key, args: args, actor: "api@127.0.0.1", createdAt: Journal.at(time))
    }

    @Test(arguments: TestStateBackend.allCases)
    func aTaskIsJournaledOnceWithAnEventAndItsKeyOrIdempotencyKeyAnswersIt(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let args = ["seed": "; rm -rf / $(id) \"'\n`x`", "mesh": "fine"]
        let first = try await store.recordAPITask(Self.task("a/b c", args: args), idempotencyKey: "post-1", at: Journal.at(1_000))
        guard case .created(let created) = first else { Issue.record("not created: \(first)"); return }
        #expect(created.task.args == args, "args are kept byte for byte")
        #expect(created.task.sequence > 0 && created.state == .pending && created.journaled == nil)

        let sameKey = try await store.recordAPITask(Self.task("a/b c", args: ["other": "x"], at: 2_000), idempotencyKey: nil, at: Journal.at(2_000))
        guard case .keyExists(let existing) = sameKey else { Issue.record("not the existing task: \(sameKey)"); return }
        #expect(existing.task.args == args && existing.task.sequence == created.task.sequence, "the first one, untouched")

        let sameIdempotencyKey = try await store.recordAPITask(Self.task("zzz", at: 3_000), idempotencyKey: "post-1", at: Journal.at(3_000))
        guard case .idempotencyKeySeen(let replayed) = sameIdempotencyKey else { Issue.record("not the keyed task: \(sameIdempotencyKey)"); return }
        #expect(replayed.task.key == "a/b c" && replayed.idempotencyKey == "post-1")

        #expect(try await store.apiTasks(pools: ["jobs"]).map(\.key) == ["a/b c"], "nothing more was written")
        #expect(try await store.eventShapes() == [EventShape("task/jobs/a/b c", nil, "pending")])
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func tasksAreReadInTheOrderPostedAndPagedWithTheirState(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        for (index, key) in ["c", "a", "b", "e", "d"].enumerated() {
            _ = try await store.recordAPITask(Self.task(key, at: 1_000 + Int64(index)), idempotencyKey: nil, at: Journal.at(1_000))
        }
        _ = try await store.recordAPITask(Self.task("x", pool: "other"), idempotencyKey: nil, at: Journal.at(1_000))
        #expect(try await store.apiTasks(pools: ["jobs"]).map(\.key) == ["c", "a", "b", "e", "d"], "posting order")
        #expect(try await store.apiTasks(pools: ["jobs", "other"]).count == 6)
        #expect(try await store.apiTasks(pools: []).isEmpty)

        // Two run: a completes, b keeps running.
        try await store.recordIntent([Journal.action("act-1", verb: .submit, fleet: "jobs")])
        try await store.markSubmitting(actionID: "act-1", scheduler: "cpu", pool: "jobs",
                                       attempts: [TaskAttemptRef(key: "a", attempt: 1), TaskAttemptRef(key: "b", attempt: 1)], at: Journal.at(2_000))
        try await store.setTasks([TaskStatus(pool: "jobs", key: "a", state: .completed, attemptsStarted: 1, attemptsConsumed: 1)],
                                 cause: "test", at: Journal.at(3_000))

        // Pages of two walk every task once, in order.
        var keys: [String] = []
        var after: Int64?
        for _ in 0..<5 {
            let page = try await store.apiTaskPage(pool: "jobs", after: after, limit: 2)
            keys += page.map(\.task.key)
            guard page.count == 2 else { break }
            after = page.last?.task.sequence
        }
        #expect(keys == ["c", "a", "b", "e", "d"])
        let pending = try await store.apiTaskPage(pool: "jobs", state: .pending, limit: 10)
        #expect(pending.map(\.task.key) == ["c", "e", "d"], "never acted on is pending")
        #expect(try await store.apiTaskPage(pool: "jobs", state: .running, limit: 10).map(\.task.key) == ["b"])
        let completed = try await store.apiTaskPage(pool: "jobs", state: .completed, limit: 10)
        #expect(completed.map(\.task.key) == ["a"] && completed.first?.journaled?.attemptsStarted == 1)
        #expect(try await store.apiTask(pool: "jobs", key: "b")?.state == .running)
        #expect(try await store.apiTask(pool: "jobs", key: "nope") == nil)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aCancelRequestIsKeptOnceAndTheDesiredStateCarriesIt(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        _ = try await store.recordAPITask(Self.task("a"), idempotencyKey: nil, at: Journal.at(1_000))
        _ = try await store.recordAPITask(Self.task("b"), idempotencyKey: nil, at: Journal.at(1_000))
        let asked = try await store.requestAPITaskCancel(pool: "jobs", key: "a", actor: "api@10.0.0.1", at: Journal.at(5_000))
        #expect(asked?.task.cancelRequestedAt == Journal.at(5_000))
        let again = try await store.requestAPITaskCancel(pool: "jobs", key: "a", actor: "api@10.0.0.2", at: Journal.at(6_000))
        #expect(again?.task.cancelRequestedAt == Journal.at(5_000), "the first ask's time stays")
        #expect(try await store.requestAPITaskCancel(pool: "jobs", key: "nope", actor: "x", at: Journal.at(6_000)) == nil)

        let pool = TaskPoolSpec(metadata: Metadata(name: "jobs"), scheduler: "cpu", command: [try CommandTemplate(parsing: "${args.seed}")],
                                source: .api([]))
        let desired = DesiredState(pools: [pool]).applying(apiTasks: try await store.apiTasks(pools: ["jobs"]))
        #expect(desired.pools["jobs"]?.tasks.map(\.key) == ["a", "b"])
        #expect(desired.cancelling == [TaskID(pool: "jobs", key: "a")])
        await store.close()
    }

    /// A state copied into PostgreSQL goes on numbering posted tasks after the copied ones.
    @Test func aCopiedStateNumbersNewTasksAfterTheCopiedOnes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await openStore(.sqlite, in: directory)
        for key in ["a", "b", "c"] { _ = try await source.recordAPITask(Self.task(key), idempotencyKey: nil, at: Journal.at(1_000)) }
        let postgres = try await openStore(at: try TestStateBackend.postgres.location(in: directory.path))
        _ = try await source.copy(into: postgres)
        let next = try await postgres.recordAPITask(Self.task("d"), idempotencyKey: nil, at: Journal.at(2_000))
        let copied = try await source.apiTasks(pools: ["jobs"]).map(\.sequence)
        #expect(next.entry.task.sequence > copied.max() ?? 0)
        #expect(try await postgres.apiTasks(pools: ["jobs"]).map(\.key) == ["a", "b", "c", "d"])
        await postgres.close()
        await source.close()
    }
}
