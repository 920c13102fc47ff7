import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// Runs started by hand, judged by the workflow's concurrency in the transaction that records
/// them, on both backends; and a cancelled run's steps each leave an event.
@Suite struct WorkflowRunAdmissionTests {
    static func run(_ id: String, workflow: String = "nightly", at time: Int64 = 1_000) -> WorkflowRun {
        WorkflowRun(id: id, workflow: workflow, specHash: "hash", trigger: .manual, createdAt: Journal.at(time),
                    steps: [WorkflowRun.Step(name: "prepare"), WorkflowRun.Step(name: "finish")])
    }

    static func start(_ store: StateStore, _ id: String, _ concurrency: WorkflowSpec.Concurrency, workflow: String = "nightly",
                      key: String? = nil, at time: Int64 = 1_000) async throws -> WorkflowRunAdmission {
        try await store.startWorkflowRun(run(id, workflow: workflow, at: time), reason: "started by test", concurrency: concurrency,
                                         idempotencyKey: key, at: Journal.at(time))
    }

    @Test(arguments: TestStateBackend.allCases)
    func forbidRefusesWhileARunRunsReplaceCancelsItAllowRunsBeside(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        #expect(try await Self.start(store, "wr-a", .forbid) == .started(replaced: []))
        #expect(try await Self.start(store, "wr-b", .forbid, at: 2_000) == .refused(running: ["wr-a"]))
        #expect(try await store.workflowRun(id: "wr-b") == nil, "a refused run is not recorded")
        #expect(try await Self.start(store, "wr-x", .forbid, workflow: "other", at: 2_000) == .started(replaced: []),
                "another workflow's run does not count")
        #expect(try await Self.start(store, "wr-c", .allow, at: 3_000) == .started(replaced: []))
        #expect(try await Self.start(store, "wr-d", .replace, at: 4_000) == .started(replaced: ["wr-c", "wr-a"]), "newest first")
        let runs = try await store.workflowRuns(workflow: "nightly")
        #expect(runs.map(\.id) == ["wr-d", "wr-c", "wr-a"])
        #expect(runs.map(\.state) == [.running, .cancelled, .cancelled])
        let replaced = try #require(try await store.workflowRun(id: "wr-a")?.run)
        #expect(replaced.steps.allSatisfy { $0.state == .cancelled && $0.message == "replaced by wr-d" })
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aKeyAnswersTheRunItStartedOnce(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        #expect(try await Self.start(store, "wr-a", .allow, key: "k1") == .started(replaced: []))
        #expect(try await Self.start(store, "wr-b", .allow, key: "k1", at: 2_000) == .earlier(runID: "wr-a"))
        #expect(try await Self.start(store, "wr-c", .replace, workflow: "other", key: "k1", at: 3_000) == .earlier(runID: "wr-a"),
                "the engine tells the key's other workflow apart; the store answers what the key made")
        #expect(try await store.workflowRuns().map(\.id) == ["wr-a"])
        // A refused start keeps no key: once the run ends, a retry with it starts one.
        #expect(try await Self.start(store, "wr-d", .forbid, key: "k2", at: 4_000) == .refused(running: ["wr-a"]))
        #expect(try await store.cancelWorkflowRun(id: "wr-a", reason: "stop", at: Journal.at(5_000)))
        #expect(try await Self.start(store, "wr-e", .forbid, key: "k2", at: 6_000) == .started(replaced: []))
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func startsAtOnceOfAForbidWorkflowLetOneThrough(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        let outcomes = try await withThrowingTaskGroup(of: WorkflowRunAdmission.self) { group in
            for index in 0..<8 { group.addTask { try await Self.start(store, "wr-\(index)", .forbid) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let started = outcomes.filter { if case .started = $0 { true } else { false } }
        #expect(started.count == 1, "\(outcomes)")
        #expect(try await store.workflowRuns(runningOnly: true).count == 1)
        await store.close()
    }

    @Test(arguments: TestStateBackend.allCases)
    func aCancelledRunsStepsEachLeaveAnEventBeforeTheRuns(_ backend: TestStateBackend) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        var run = Self.run("wr-a")
        run.steps[0] = WorkflowRun.Step(name: "prepare", state: .running, startedAt: Journal.at(1_000))
        #expect(try await store.startWorkflowRun(run, reason: "test", concurrency: .forbid, at: Journal.at(1_000)) == .started(replaced: []))
        let before = try await store.lastSeq()
        #expect(try await store.cancelWorkflowRun(id: "wr-a", reason: "cancelled by test", at: Journal.at(2_000)))
        #expect(try await store.eventShapes(after: before) == [
            EventShape("step/wr-a/prepare", "running", "cancelled"), EventShape("step/wr-a/finish", "pending", "cancelled"),
            EventShape("run/wr-a", "running", "cancelled"),
        ])
        #expect(try await store.cancelWorkflowRun(id: "wr-a", reason: "again", at: Journal.at(3_000)) == false)
        await store.close()
    }
}
