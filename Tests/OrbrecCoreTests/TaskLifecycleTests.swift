import OrbrecCore
import OrbrecTestSupport
import PropertyBased
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .seconds(5), multiplier: 2, maxBackoff: .seconds(60), jitter: 0.1)

    @Test(arguments: [(1, 5_000), (2, 10_000), (3, 20_000), (4, 40_000), (5, 60_000), (9, 60_000)])
    func backoffGrowsAndIsCapped(attempt: Int, milliseconds: Int64) {
        #expect(policy.delay(afterAttempt: attempt, jitterSample: 0) == ConfigDuration(milliseconds: milliseconds))
    }

    @Test func jitterMovesTheDelayWithinItsShareAndNeverPastTheCap() {
        #expect(policy.delay(afterAttempt: 1, jitterSample: 1) == ConfigDuration(milliseconds: 5_500))
        #expect(policy.delay(afterAttempt: 1, jitterSample: -1) == ConfigDuration(milliseconds: 4_500))
        #expect(policy.delay(afterAttempt: 9, jitterSample: 1) == .seconds(60), "jitter inside the cap")
        #expect(policy.delay(afterAttempt: 9, jitterSample: -1) == ConfigDuration(milliseconds: 54_000))
    }

    @Test func anyAttemptAndSampleStaysWithinBounds() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...40), Gen.double(in: -3...3)) { attempt, sample in
            let delay = policy.delay(afterAttempt: attempt, jitterSample: sample)
            #expect(delay >= .seconds(0))
            #expect(delay <= policy.maxBackoff)
            let unjittered = policy.delay(afterAttempt: attempt, jitterSample: 0)
            #expect(abs(Double(delay.milliseconds - unjittered.milliseconds)) <= Double(unjittered.milliseconds) * policy.jitter + 1)
        }
    }
}

@Suite struct TaskLifecycleTests {
    let policy = RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(5), multiplier: 2, maxBackoff: .seconds(300), jitter: 0)
    let now = Instant(millisecondsSinceEpoch: 1_000_000)

    func running(attempt: Int, consumed: Int) -> TaskStatus {
        TaskStatus(pool: "sims", key: "7", state: .running, attemptsStarted: attempt, attemptsConsumed: consumed)
    }

    @Test func successCompletes() {
        let result = TaskLifecycle.finish(running(attempt: 1, consumed: 0), attempt: 1, outcome: AttemptOutcome(exitCode: 0),
                                          policy: policy, now: now, jitterSample: 0)
        #expect(result.task.state == .completed)
        #expect(result.failureClass == nil)
    }

    @Test func anAppErrorConsumesAnAttemptAndWaitsTheBackoff() {
        let result = TaskLifecycle.finish(running(attempt: 1, consumed: 0), attempt: 1, outcome: AttemptOutcome(exitCode: 3),
                                          policy: policy, now: now, jitterSample: 0)
        #expect(result.task.state == .retrying)
        #expect(result.task.attemptsConsumed == 1)
        #expect(result.task.nextTryAt == now.adding(.seconds(5)))
        #expect(result.failureClass == .appError)
        #expect(result.cause.hasPrefix("task-failed exit=3 attempt=1/3"))
    }

    @Test func anAttemptThatCanNeverStartIsADeadLetterAtOnceWithTheReason() {
        let outcome = AttemptOutcome.notStarted(ProviderError(code: ProviderError.cannotStart, message: "cannot create /t/x: File name too long"))
        let result = TaskLifecycle.finish(running(attempt: 1, consumed: 0), attempt: 1, outcome: outcome, policy: policy, now: now,
                                          jitterSample: 0)
        #expect(result.task.state == .deadLetter)
        #expect(result.task.nextTryAt == nil)
        #expect(result.cause.contains("File name too long"))
        #expect(result.cause.contains("can never start"))
        #expect(!outcome.succeeded)
    }

    @Test func aSubmitThatMerelyFailedIsAnUncountedLoss() {
        let outcome = AttemptOutcome.notStarted(ProviderError(code: "not-started", message: "fork: no memory"))
        #expect(outcome.lost && outcome.unstartable == nil)
        #expect(AttemptOutcome.notStarted(nil).lost)
    }

    @Test func lossesAccumulateToADeadLetterPastTheAllowance() {
        var task = running(attempt: 1, consumed: 0)
        for attempt in 1...(TaskLifecycle.infraAllowance + 1) {
            task.state = .running
            task.attemptsStarted = attempt
            task = TaskLifecycle.finish(task, attempt: attempt, outcome: AttemptOutcome(lost: true), policy: policy, now: now,
                                        jitterSample: 0).task
        }
        #expect(task.state == .deadLetter)
        #expect(task.attemptsConsumed == 0)
    }

    @Test func aTimeoutIsClassifiedAndCounts() {
        let result = TaskLifecycle.finish(running(attempt: 2, consumed: 1), attempt: 2, outcome: AttemptOutcome(signal: 15, timedOut: true),
                                          policy: policy, now: now, jitterSample: 0)
        #expect(result.failureClass == .timeout)
        #expect(result.task.attemptsConsumed == 2)
        #expect(result.task.nextTryAt == now.adding(.seconds(10)))
    }

    @Test func anInfraLossDoesNotConsumeAnAttempt() {
        let result = TaskLifecycle.finish(running(attempt: 2, consumed: 1), attempt: 2, outcome: AttemptOutcome(lost: true),
                                          policy: policy, now: now, jitterSample: 0)
        #expect(result.failureClass == .infra)
        #expect(result.task.state == .retrying)
        #expect(result.task.attemptsConsumed == 1)
        #expect(result.task.attemptsStarted == 2)
    }

    @Test func theLastAllowedFailureDeadLetters() {
        let result = TaskLifecycle.finish(running(attempt: 3, consumed: 2), attempt: 3, outcome: AttemptOutcome(exitCode: 1),
                                          policy: policy, now: now, jitterSample: 0)
        #expect(result.task.state == .deadLetter)
        #expect(result.task.nextTryAt == nil)
        #expect(result.cause.hasPrefix("task-failed exit=1 attempt=3/3"))
    }

    @Test func endlessInfraLossesStopEventually() {
        var task = running(attempt: 12, consumed: 0)
        task.infraLosses = TaskLifecycle.infraAllowance
        let result = TaskLifecycle.finish(task, attempt: 12, outcome: AttemptOutcome(lost: true), policy: policy, now: now, jitterSample: 0)
        #expect(result.task.state == .deadLetter)
        var fewer = running(attempt: 12, consumed: 0)
        fewer.infraLosses = TaskLifecycle.infraAllowance - 1
        #expect(TaskLifecycle.finish(fewer, attempt: 12, outcome: AttemptOutcome(lost: true), policy: policy, now: now, jitterSample: 0)
            .task.state == .retrying, "attempt numbers do not matter, losses do")
    }

    @Test func requeueGivesADeadLetteredTaskAFreshBudget() throws {
        let dead = TaskStatus(pool: "sims", key: "7", state: .deadLetter, attemptsStarted: 3, attemptsConsumed: 3)
        let requeued = try #require(TaskLifecycle.requeue(dead))
        #expect(requeued.state == .pending)
        #expect(requeued.attemptsConsumed == 0)
        #expect(requeued.attemptsStarted == 3, "attempt numbers keep counting up: no attempt number is reused")
        #expect(requeued.infraLosses == 0)
        #expect(TaskLifecycle.requeue(TaskStatus(pool: "sims", key: "1", state: .completed)) == nil)
    }

    @Test func anyFailureSequenceEndsWithinTheBudget() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...2).array(of: 1...30)) { kinds in
            var task = TaskStatus(pool: "p", key: "k", state: .running, attemptsStarted: 1)
            var appFailures = 0
            for kind in kinds where task.state == .running || task.state == .retrying {
                task.state = .running
                let outcome = kind == 0 ? AttemptOutcome(exitCode: 2) : kind == 1 ? AttemptOutcome(timedOut: true) : AttemptOutcome(lost: true)
                if kind != 2 { appFailures += 1 }
                task = TaskLifecycle.finish(task, attempt: task.attemptsStarted, outcome: outcome, policy: policy, now: now, jitterSample: 0).task
                if task.state == .retrying { task.attemptsStarted += 1 }
            }
            #expect(task.attemptsConsumed == min(appFailures, policy.maxAttempts))
            #expect(task.attemptsConsumed <= policy.maxAttempts)
            if task.state == .deadLetter {
                #expect(task.attemptsConsumed == policy.maxAttempts || task.infraLosses > TaskLifecycle.infraAllowance)
            }
        }
    }
}

@Suite struct CommandTemplateTests {
    @Test func rendersVariablesAndEscapes() throws {
        let template = try CommandTemplate(parsing: "--seed=${item}-${attempt} $${HOME} $x")
        #expect(template.variables == ["item", "attempt"])
        #expect(template.render(["item": "7", "attempt": "2"]) == "--seed=7-2 ${HOME} $x")
    }

    @Test(arguments: ["${", "${item", "${}", "${a b}"])
    func malformedPlaceholdersAreErrors(_ text: String) {
        #expect(throws: CommandTemplate.ParseError.self) { try CommandTemplate(parsing: text) }
    }
}
