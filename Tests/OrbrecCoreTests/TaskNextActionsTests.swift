import Testing
import OrbrecCore

@Suite("Next actions of a pull-mode task")
struct TaskNextActionsTests {
    static let now = Instant(millisecondsSinceEpoch: 1_795_543_200_000)

    static func at(_ seconds: Int64) -> Instant { now.adding(ConfigDuration(milliseconds: seconds * 1000)) }

    static func derive(_ state: TaskState, heldUntil: Instant? = nil, nextTryAt: Instant? = nil, elsewhere: Instant? = nil) -> [NextAction] {
        TaskNextActions.derive(.init(pool: "jobs", pathID: "jobs:7", state: state, nextTryAt: nextTryAt, heldUntil: heldUntil,
                                     leaseMilliseconds: 30_000, leasedElsewhereUntil: elsewhere), now: now)
    }

    @Test func theHolderOfALeaseMayCompleteHeartbeatFailOrRelease() {
        let actions = Self.derive(.running, heldUntil: Self.at(30))
        #expect(actions.map(\.action) == ["complete", "heartbeat", "fail", "release"])
        #expect(actions.filter(\.recommended).map(\.action) == ["complete"])
        #expect(actions.allSatisfy { $0.before == Self.at(30) && $0.method == "POST" })
        #expect(actions[0].path == "/api/v1/tasks/jobs:7/complete")
        #expect(actions[1].retryAfterSeconds == 10, "heartbeat at a third of the lease")
    }

    @Test func aHeartbeatIsNeverRecommendedAfterTheLeaseEnds() {
        let actions = Self.derive(.running, heldUntil: Self.at(4))
        #expect(actions.first { $0.action == "heartbeat" }?.retryAfterSeconds == 4)
    }

    @Test func anExpiredLeaseLeavesOnlyClaiming() {
        let actions = Self.derive(.running, heldUntil: Self.at(-1), elsewhere: Self.at(12))
        #expect(actions.map(\.action) == ["claim", "wait"])
        #expect(actions[1].retryAfterSeconds == 12)
        #expect(actions[0].path == "/api/v1/pools/jobs/claim")
    }

    @Test(arguments: [
        (TaskState.pending, ["claim"], Int64(0)),
        (.completed, ["claim"], 0),
        (.cancelled, ["claim"], 0),
        (.deadLetter, ["requeue", "claim"], 0),
        (.retrying, ["claim"], 5),
    ])
    func everyStateSaysWhatComesNextAndWhen(_ state: TaskState, _ expected: [String], _ wait: Int64) {
        let actions = Self.derive(state, nextTryAt: Self.at(5))
        #expect(actions.map(\.action) == expected)
        #expect(actions.filter(\.recommended).count == 1, "exactly one recommendation")
        #expect(actions.first { $0.action == "claim" }?.retryAfterSeconds == wait)
    }

    @Test func aWorkersRetryAfterReplacesThePolicysBackoff() {
        let task = TaskStatus(pool: "jobs", key: "7", state: .running, attemptsStarted: 1)
        let policy = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(60), multiplier: 2, maxBackoff: .seconds(600), jitter: 0)
        let asked = TaskLifecycle.finish(task, attempt: 1, outcome: AttemptOutcome(exitCode: 1, retryAfter: .seconds(5)), policy: policy,
                                         now: Self.now, jitterSample: 0)
        #expect(asked.task.state == .retrying && asked.task.nextTryAt == Self.at(5))
        let released = TaskLifecycle.finish(task, attempt: 1, outcome: AttemptOutcome(lost: true, retryAfter: .seconds(0)), policy: policy,
                                            now: Self.now, jitterSample: 0)
        #expect(released.task.nextTryAt == Self.now, "a released lease is offered again at once")
        #expect(released.task.attemptsConsumed == 0 && released.failureClass == .infra)
        let expired = TaskLifecycle.finish(task, attempt: 1, outcome: AttemptOutcome(timedOut: true), policy: policy, now: Self.now,
                                           jitterSample: 0)
        #expect(expired.task.nextTryAt == Self.at(60) && expired.task.attemptsConsumed == 1, "an expired lease follows the policy")
    }
}
