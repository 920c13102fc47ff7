/// The port every scheduler implements. The engine sees only this.
///
/// A scheduler finds the attempts it holds for a state by the identity orbrec gives each
/// job (state, pool, task key, attempt), never by the journal.
public protocol Scheduler: Sendable {
    var name: String { get }

    /// Every attempt this scheduler runs or has finished for `owner`. Throws `ProviderError`.
    func attempts(ownedBy owner: String) async throws -> [ObservedAttempt]

    /// The attempts of `open` (the journal's unsettled attempts) as they are now, at a cost in
    /// proportion to them rather than to every attempt ever run. An attempt left out is one
    /// the scheduler no longer knows (lost). Schedulers that cannot look one up answer with
    /// `attempts(ownedBy:)`.
    func attempts(ownedBy owner: String, open: [AttemptHandle]) async throws -> [ObservedAttempt]

    /// Whether the scheduler announces each end through `AttemptEnds` as it happens, so the
    /// engine can fill the freed slot at once.
    var announcesEnds: Bool { get }

    /// How many attempts beyond its free slots the scheduler takes and starts by itself as
    /// slots free (its own queue), so that the engine can order them ahead; 0: none.
    var queueAhead: Int { get }

    /// Starts the attempts of `order`; one outcome per attempt.
    func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport]

    /// Stops running attempts; stopping one that already ended succeeds.
    func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport]
}

extension Scheduler {
    public func attempts(ownedBy owner: String, open: [AttemptHandle]) async throws -> [ObservedAttempt] {
        try await attempts(ownedBy: owner)
    }

    public var announcesEnds: Bool { false }

    public var queueAhead: Int { 0 }
}

extension ProviderError {
    /// The code of a submit whose answer was lost (the scheduler went away while it was
    /// asked): the attempt may have started. It is left open for observation to settle, never
    /// taken as not started, which could run it twice.
    public static let outcomeUnknown = "outcome-unknown"

    /// The code of a submit that can never succeed for this task, whatever is retried (its
    /// output path is longer than the file system allows): the task is dead-lettered with the
    /// message, not retried as infra for ever.
    public static let cannotStart = "cannot-start"
}

/// One attempt of one task: how ends, open attempts and results are matched up.
public struct AttemptKey: Hashable, Sendable {
    public var task: TaskID
    public var attempt: Int

    public init(task: TaskID, attempt: Int) {
        self.task = task
        self.attempt = attempt
    }
}

/// An attempt the journal holds open (submitting or running), with the job it was given.
public struct AttemptHandle: Hashable, Sendable {
    public var scheduler: String
    public var task: TaskID
    public var attempt: Int
    public var jobID: String?

    public init(scheduler: String, task: TaskID, attempt: Int, jobID: String?) {
        self.scheduler = scheduler
        self.task = task
        self.attempt = attempt
        self.jobID = jobID
    }
}

/// One attempt as a scheduler reports it: running (no outcome yet) or ended.
public struct ObservedAttempt: Hashable, Sendable, Codable {
    public var scheduler: String
    public var task: TaskID
    public var attempt: Int
    /// The scheduler's handle: `local:PID:TICKS`, a Slurm job id.
    public var jobID: String
    public var outcome: AttemptOutcome?

    public init(scheduler: String, task: TaskID, attempt: Int, jobID: String, outcome: AttemptOutcome? = nil) {
        self.scheduler = scheduler
        self.task = task
        self.attempt = attempt
        self.jobID = jobID
        self.outcome = outcome
    }

    public var isRunning: Bool { outcome == nil }
}

/// What to start: attempts of one pool.
public struct SubmitOrder: Sendable, Hashable {
    public struct Attempt: Sendable, Hashable, Codable {
        public var key: String
        public var attempt: Int
        public var argv: [String]

        public init(key: String, attempt: Int, argv: [String]) {
            self.key = key
            self.attempt = attempt
            self.argv = argv
        }
    }

    public var owner: String
    public var actionID: String
    public var pool: String
    public var env: [String: String]
    public var workdir: String?
    public var walltime: ConfigDuration?
    public var attempts: [Attempt]
    /// What each attempt needs of a cluster (cpus, memory, gpus, partition).
    public var resources: TaskPoolSpec.Resources
    /// How many of the pool's attempts may run at once: a job array's throttle.
    public var parallelism: Int?

    public init(owner: String, actionID: String, pool: String, env: [String: String], workdir: String?,
                walltime: ConfigDuration?, attempts: [Attempt], resources: TaskPoolSpec.Resources = TaskPoolSpec.Resources(),
                parallelism: Int? = nil) {
        self.resources = resources
        self.parallelism = parallelism
        self.owner = owner
        self.actionID = actionID
        self.pool = pool
        self.env = env
        self.workdir = workdir
        self.walltime = walltime
        self.attempts = attempts
    }
}

/// What happened to one attempt of a submit or cancel.
public struct AttemptOutcomeReport: Sendable, Hashable {
    public var task: TaskID
    public var attempt: Int
    public var jobID: String?
    public var error: ProviderError?
    /// On a cancel: the attempt had already ended by itself (its end is settled from what
    /// the scheduler reports, not overwritten as cancelled).
    public var alreadyEnded: Bool

    public init(task: TaskID, attempt: Int, jobID: String? = nil, error: ProviderError? = nil, alreadyEnded: Bool = false) {
        self.alreadyEnded = alreadyEnded
        self.task = task
        self.attempt = attempt
        self.jobID = jobID
        self.error = error
    }
}
