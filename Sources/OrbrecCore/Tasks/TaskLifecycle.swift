/// The task state machine: what an attempt's end, a requeue or a cancel does to a task.
/// Pure; the caller supplies the time and the jitter sample.
public enum TaskLifecycle {
    /// Infra failures do not consume attempts, but a task lost more than this many times
    /// (since it was last queued) stops anyway, so a broken node cannot keep it retrying forever.
    public static let infraAllowance = 10

    public struct Transition: Hashable, Sendable {
        public var task: TaskStatus
        public var failureClass: FailureClass?
        /// Why, in the words of the journal: `task-failed exit=3 attempt=2/3`.
        public var cause: String
    }

    /// The task after its attempt `attempt` ended with `outcome`.
    public static func finish(_ task: TaskStatus, attempt: Int, outcome: AttemptOutcome, policy: RetryPolicy,
                              now: Instant, jitterSample: Double) -> Transition {
        var next = task
        next.lastOutcome = outcome
        next.attemptsStarted = max(task.attemptsStarted, attempt)
        next.nextTryAt = nil
        if outcome.succeeded {
            next.state = .completed
            return Transition(task: next, failureClass: nil, cause: "attempt \(attempt) succeeded")
        }
        if outcome.cancelled {
            next.state = .cancelled
            return Transition(task: next, failureClass: nil, cause: "attempt \(attempt) cancelled")
        }
        let failure = outcome.failureClass ?? .appError
        if failure == .infra { next.infraLosses += 1 } else { next.attemptsConsumed += 1 }
        let counted = "attempt=\(next.attemptsConsumed)/\(policy.maxAttempts)"
        let cause = "task-failed \(outcome.summary) \(counted)" + (failure == .infra ? " (infra: not counted)" : "")
        if outcome.unstartable != nil {
            // Trying again cannot help: the task is a dead letter now, not after maxAttempts.
            next.state = .deadLetter
            return Transition(task: next, failureClass: failure, cause: cause + "; it can never start")
        }
        let exhausted = next.attemptsConsumed >= policy.maxAttempts
        let tooManyLosses = next.infraLosses > infraAllowance
        if exhausted || tooManyLosses {
            next.state = .deadLetter
            return Transition(task: next, failureClass: failure,
                              cause: cause + (exhausted ? "" : "; lost \(next.infraLosses) times, more than the \(infraAllowance) allowed"))
        }
        next.state = .retrying
        let delay = outcome.retryAfter ?? policy.delay(afterAttempt: max(1, next.attemptsConsumed), jitterSample: jitterSample)
        next.nextTryAt = now.adding(delay)
        return Transition(task: next, failureClass: failure, cause: cause + "; next try in \(delay)")
    }

    /// A running task brought up to date with what its scheduler reports: an ended attempt
    /// finishes it; an attempt the scheduler no longer knows is lost (infra). Nil when
    /// nothing changed (not running, or its attempt still runs).
    public static func settle(_ task: TaskStatus, attempts: [ObservedAttempt], policy: RetryPolicy, now: Instant,
                              jitterSample: Double) -> Transition? {
        guard task.state == .running else { return nil }
        let current = attempts.first { $0.attempt == task.attemptsStarted }
        if let current, current.isRunning { return nil }
        let outcome = current?.outcome ?? AttemptOutcome(lost: true)
        return finish(task, attempt: task.attemptsStarted, outcome: outcome, policy: policy, now: now, jitterSample: jitterSample)
    }

    /// An operator's requeue of a dead-lettered (or cancelled) task: a fresh budget of attempts.
    public static func requeue(_ task: TaskStatus) -> TaskStatus? {
        guard task.state == .deadLetter || task.state == .cancelled else { return nil }
        var next = task
        next.state = .pending
        next.attemptsConsumed = 0
        next.infraLosses = 0
        next.nextTryAt = nil
        return next
    }
}
