import Testing
import OrbrecCore
import OrbrecStore
import OrbrecTestSupport

/// PostgreSQL writes a batch of task changes in a few set-based statements; SQLite writes it
/// row by row. The journal must come out the same, row for row and event for event, in the
/// cases a set-based statement gets wrong first: a batch that names one task or one attempt
/// twice, a task or attempt the journal does not have, an action already ended.
@Suite struct TaskBatchTests {
    struct Journaled: Equatable {
        var tasks: [TaskRecord]
        var attempts: [AttemptRecord]
        var events: [EventRecord]
        var actions: [ActionRecord]
    }

    static func at(_ milliseconds: Int64) -> Instant { Instant(millisecondsSinceEpoch: milliseconds) }

    static func action(_ id: String, pool: String, at time: Int64) -> ActionRecord {
        ActionRecord(id: id, idempotencyKey: "key-\(id)", verb: .provision, resource: ResourceID(.taskPool, pool), reason: .scaleUp,
                     detail: "test action \(id)", state: .planned, requestId: nil, payload: "{}", configRevision: "rev-1",
                     actor: "tester@host", createdAt: at(time), updatedAt: at(time))
    }

    static func settlement(_ pool: String, _ key: String, attempt: Int, _ outcome: AttemptOutcome, jobID: String?,
                           started: Int = 1, at time: Int64) -> StateStore.Settlement {
        let status = TaskStatus(pool: pool, key: key, state: .running, attemptsStarted: started)
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(1), multiplier: 2, maxBackoff: .seconds(60), jitter: 0)
        let transition = TaskLifecycle.finish(status, attempt: attempt, outcome: outcome, policy: policy, now: at(time), jitterSample: 0)
        return StateStore.Settlement(transition: transition, attempt: attempt, outcome: outcome, jobID: jobID)
    }

    /// The same calls, in the same order, on a new state of `backend`.
    static func journal(_ backend: TestStateBackend) async throws -> Journaled {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try await openStore(backend, in: directory)
        defer { Task { await store.close() } }

        try await store.recordIntent([action("act-1", pool: "p", at: 1_000), action("act-2", pool: "p", at: 1_001)])
        // k1 twice: its second attempt follows its first in the same batch.
        try await store.markSubmitting(actionID: "act-1", scheduler: "cpu", pool: "p",
                                       attempts: [TaskAttemptRef(key: "k1", attempt: 1), TaskAttemptRef(key: "k2", attempt: 1),
                                                  TaskAttemptRef(key: "k1", attempt: 2), TaskAttemptRef(key: "k3", attempt: 1)],
                                       at: at(2_000))
        // One attempt named twice keeps its first job; an attempt the journal lacks changes nothing.
        try await store.markSubmitted(pool: "p", started: [(key: "k1", attempt: 1, jobID: "job-a"), (key: "k1", attempt: 1, jobID: "job-b"),
                                                           (key: "k2", attempt: 1, jobID: "job-c"), (key: "k9", attempt: 1, jobID: "job-x")],
                                      at: at(3_000))
        // k1 settled twice in one pass (a failure, then its retry's success); k2 cancelled with no
        // job id; k7 is not in the journal at all (its task is created, no attempt changes).
        try await store.settle([
            settlement("p", "k1", attempt: 1, AttemptOutcome(exitCode: 3, startedAt: at(2_500), endedAt: at(3_500), host: "h1"),
                       jobID: "job-z", at: 4_000),
            settlement("p", "k2", attempt: 1, AttemptOutcome(cancelled: true, endedAt: nil, host: "h2"), jobID: nil, at: 4_000),
            settlement("p", "k1", attempt: 2, AttemptOutcome(exitCode: 0, signal: nil, endedAt: at(3_900), host: "h1"), jobID: "job-d",
                       started: 2, at: 4_000),
            settlement("p", "k7", attempt: 1, AttemptOutcome(exitCode: 0, host: "h9"), jobID: "job-q", at: 4_000),
        ], at: at(4_000))
        let one = settlement("p", "k3", attempt: 1, AttemptOutcome(signal: 9, host: "h3"), jobID: "job-3", at: 4_500)
        try await store.settle(one.transition, attempt: 1, outcome: one.outcome, jobID: one.jobID, at: at(4_500))
        // One step: act-1 finished twice (the second finds it ended) and act-2 never issued;
        // two submits start k4 twice and k3 again, after k3's settlement in the same step.
        try await store.recordStep(
            started: [StateStore.StartedAttempt(pool: "p", key: "k3", attempt: 1, jobID: "job-late")],
            finished: [StateStore.FinishedAction(id: "act-1", resource: "TaskPool/p", reason: "done", error: nil),
                       StateStore.FinishedAction(id: "act-1", resource: "TaskPool/p", reason: "again", error: "late"),
                       StateStore.FinishedAction(id: "act-2", resource: "TaskPool/p", reason: "never issued", error: "x")],
            settlements: [settlement("p", "k3", attempt: 1, AttemptOutcome(exitCode: 1, host: "h3"), jobID: nil, at: 5_000)],
            submits: [StateStore.StepSubmit(action: action("act-3", pool: "p", at: 4_800), scheduler: "cpu",
                                            attempts: [TaskAttemptRef(key: "k4", attempt: 1), TaskAttemptRef(key: "k3", attempt: 2)]),
                      StateStore.StepSubmit(action: action("act-4", pool: "q", at: 4_900), scheduler: "gpu",
                                            attempts: [TaskAttemptRef(key: "k4", attempt: 1)]),
                      StateStore.StepSubmit(action: action("act-5", pool: "p", at: 4_950), scheduler: "cpu",
                                            attempts: [TaskAttemptRef(key: "k4", attempt: 2)])],
            at: at(5_000))
        // An operator's change: k5 twice (the second is no change of state, so no event), k1 unchanged.
        try await store.setTasks([TaskStatus(pool: "p", key: "k5", state: .pending, attemptsStarted: 0),
                                  TaskStatus(pool: "p", key: "k1", state: .completed, attemptsStarted: 2, attemptsConsumed: 1,
                                             lastOutcome: AttemptOutcome(exitCode: 0, host: "h1")),
                                  TaskStatus(pool: "p", key: "k5", state: .pending, attemptsStarted: 0, attemptsConsumed: 0),
                                  TaskStatus(pool: "p", key: "k6", state: .deadLetter, attemptsStarted: 1, attemptsConsumed: 1,
                                             nextTryAt: at(9_000), infraLosses: 2)],
                                 cause: "operator", at: at(6_000))

        return Journaled(tasks: try await store.tasks(),
                         attempts: try await store.attempts(pool: "p") + (try await store.attempts(pool: "q")),
                         events: try await store.events(after: 0, limit: 10_000), actions: try await store.actions())
    }

    @Test func aBatchLeavesTheSameJournalOnBothBackends() async throws {
        let sqlite = try await Self.journal(.sqlite)
        let postgres = try await Self.journal(.postgres)
        #expect(sqlite.tasks.count == 8)
        #expect(postgres.tasks == sqlite.tasks)
        #expect(postgres.attempts == sqlite.attempts)
        #expect(postgres.actions == sqlite.actions)
        #expect(postgres.events.count == sqlite.events.count)
        for (pg, lite) in zip(postgres.events, sqlite.events) { #expect(pg == lite) }
    }
}
