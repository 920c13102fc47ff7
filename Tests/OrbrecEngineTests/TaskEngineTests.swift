import Foundation
import OrbrecCore
import OrbrecEngine
import OrbrecStore
import OrbrecTestSupport
import Testing

/// The engine's task path against the scheduler port, with a fake scheduler and a real SQLite file.
@Suite struct TaskEngineTests {
    let scheduler = FakeScheduler(name: "cpu")
    let clock = ManualClock()
    let store: StateStore
    let reconciler: Reconciler

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-tasks-\(UUID().uuidString)/state.db").path
        store = try StateStore(path: path)
        let scheduler = self.scheduler
        reconciler = Reconciler(store: store, providerFactory: { _ in nil }, schedulerFactory: { _ in scheduler }, clock: clock,
                                actor: "test@host")
    }

    func desired(keys: [String] = ["a", "b", "c"], parallelism: Int? = nil, maxAttempts: Int = 2) throws -> DesiredState {
        DesiredState(
            schedulers: [SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local, slots: 10)],
            pools: [TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cpu", command: [try CommandTemplate(parsing: "${item}")],
                                 source: .items(keys), parallelism: parallelism,
                                 retry: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .seconds(5), multiplier: 2,
                                                    maxBackoff: .seconds(60), jitter: 0))])
    }

    @discardableResult
    func pass(_ desired: DesiredState) async throws -> PlanResult {
        let snapshot = try await reconciler.snapshot(of: desired, sync: true)
        let result = try reconciler.plan(snapshot, allowEmpty: false)
        _ = try await reconciler.execute(result.scheduled, snapshot: snapshot, parallelism: 4)
        return result
    }

    func state(_ key: String) async throws -> TaskState? { try await store.tasks(pool: "sims").first { $0.key == key }?.state }

    @Test func tasksRunToCompletionAndAreNeverSubmittedAgain() async throws {
        let desired = try desired(parallelism: 2)
        try await pass(desired)
        #expect(scheduler.submissions == ["sims/a#1", "sims/b#1"])
        scheduler.end(TaskID(pool: "sims", key: "a"), attempt: 1, exitCode: 0)
        scheduler.end(TaskID(pool: "sims", key: "b"), attempt: 1, exitCode: 0)
        try await pass(desired)
        #expect(try await state("a") == .completed)
        #expect(scheduler.submissions == ["sims/a#1", "sims/b#1", "sims/c#1"])
        scheduler.end(TaskID(pool: "sims", key: "c"), attempt: 1, exitCode: 0)
        try await pass(desired)
        let quiet = try await pass(desired)
        #expect(quiet.plan.isEmpty)
        #expect(scheduler.submissions.count == 3)
        let rows = try await store.attempts(pool: "sims")
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.state == .ended && $0.exitCode == 0 && $0.jobId?.hasPrefix("fake-") == true })
        let events = try await store.events().filter { $0.subject == "task/sims/a" }.map { "\($0.fromState ?? "-")>\($0.toState)" }
        #expect(events == ["->running", "running>completed"])
    }

    @Test func aFailureWaitsItsBackoffThenRetriesThenDeadLetters() async throws {
        let desired = try desired(keys: ["a"])
        let id = TaskID(pool: "sims", key: "a")
        try await pass(desired)
        scheduler.end(id, attempt: 1, exitCode: 3)
        let early = try await pass(desired)
        #expect(early.plan.isEmpty, "backoff not over")
        #expect(try await state("a") == .retrying)
        clock.advance(by: .seconds(5))
        try await pass(desired)
        #expect(scheduler.submissions == ["sims/a#1", "sims/a#2"])
        scheduler.end(id, attempt: 2, exitCode: 3)
        try await pass(desired)
        #expect(try await state("a") == .deadLetter)
        let rows = try await store.attempts(pool: "sims", key: "a")
        #expect(rows.map(\.failureClass) == [.appError, .appError])
        #expect(rows.map(\.exitCode) == [3, 3])
    }

    @Test func aLostAttemptIsRetriedWithoutConsumingOne() async throws {
        let desired = try desired(keys: ["a"], maxAttempts: 1)
        let id = TaskID(pool: "sims", key: "a")
        try await pass(desired)
        scheduler.lose(id, attempt: 1)
        try await pass(desired)
        #expect(try await store.tasks(pool: "sims").first?.attemptsConsumed == 0)
        #expect(try await store.attempts(pool: "sims", key: "a").first?.failureClass == .infra)
        clock.advance(by: .seconds(60))
        try await pass(desired)
        #expect(scheduler.submissions == ["sims/a#1", "sims/a#2"])
    }

    @Test func removedTasksAreCancelledAndTheirAttemptsStopped() async throws {
        try await pass(try desired(keys: ["a", "b"]))
        let result = try await pass(try desired(keys: ["a"]))
        #expect(result.plan.actions.map(\.verb) == [.cancel])
        #expect(try await state("b") == .cancelled)
        #expect(scheduler.running.map(\.task.key) == ["a"])
    }

    @Test func anInterruptedSubmitIsRecoveredWithoutRunningTwice() async throws {
        let desired = try desired(keys: ["a"])
        // A previous apply journaled attempt 1 and the scheduler started it, then the apply died.
        let snapshot = try await reconciler.snapshot(of: desired, sync: true)
        let result = try reconciler.plan(snapshot, allowEmpty: false)
        let action = try #require(result.scheduled.first)
        try await store.recordIntent([ActionRecord(
            id: action.id, idempotencyKey: action.id, verb: .submit, resource: ResourceID(.taskPool, "sims"), reason: .taskPending,
            detail: "", state: .planned, requestId: nil, payload: "{}", configRevision: "", actor: "test", createdAt: clock.now(),
            updatedAt: clock.now())])
        try await store.markSubmitting(actionID: action.id, scheduler: "cpu", pool: "sims", attempts: action.action.taskAttempts, at: clock.now())
        _ = await scheduler.submit(SubmitOrder(owner: store.stateID, actionID: action.id, pool: "sims", env: [:], workdir: nil,
                                               walltime: nil, attempts: [.init(key: "a", attempt: 1, argv: ["a"])]))

        let lines = try await reconciler.recoverInterrupted(desired: desired)
        #expect(lines.count == 1)
        #expect(try await store.action(id: action.id)?.state == .succeeded)
        #expect(try await store.attempts(pool: "sims", key: "a").first?.jobId == "fake-sims/a#1")
        let next = try await pass(desired)
        #expect(next.plan.isEmpty, "the attempt runs: nothing is submitted again")
        scheduler.end(TaskID(pool: "sims", key: "a"), attempt: 1, exitCode: 0)
        try await pass(desired)
        #expect(try await state("a") == .completed)
        #expect(scheduler.submissions == ["sims/a#1"])
    }
}
