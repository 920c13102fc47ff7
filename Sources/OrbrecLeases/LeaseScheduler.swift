public import OrbrecCore
public import OrbrecStore

/// The scheduler behind every pull pool: orbrec's own lease table. Submitting an attempt
/// offers it; workers claim, heartbeat and end attempts over the daemon's API; what this
/// reports is read back from the table like any scheduler's jobs.
public struct LeaseScheduler: Scheduler {
    public let name: String
    let store: StateStore
    let clock: any Clock

    public init(name: String = TaskPoolSpec.pullScheduler, store: StateStore, clock: any Clock) {
        self.name = name
        self.store = store
        self.clock = clock
    }

    public func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
        try await store.leases(at: clock.now()).map { lease in
            ObservedAttempt(scheduler: name, task: lease.task, attempt: lease.attempt, jobID: Self.jobID(lease),
                            outcome: lease.state == .ended ? (lease.outcome ?? AttemptOutcome(lost: true)) : nil)
        }
    }

    /// The lease API announces every end a worker reports.
    public var announcesEnds: Bool { true }

    public func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] {
        do {
            try await store.offerLeases(pool: order.pool, attempts: order.attempts.map { ($0.key, $0.attempt) }, at: clock.now())
            return order.attempts.map { AttemptOutcomeReport(task: TaskID(pool: order.pool, key: $0.key), attempt: $0.attempt, jobID: "offered") }
        } catch {
            let failure = ProviderError(code: "LeaseTable", message: "cannot offer the attempts: \(error)", retryable: true)
            return order.attempts.map { AttemptOutcomeReport(task: TaskID(pool: order.pool, key: $0.key), attempt: $0.attempt, error: failure) }
        }
    }

    public func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] {
        var reports: [AttemptOutcomeReport] = []
        for (pool, group) in Dictionary(grouping: attempts, by: \.task.pool) {
            do {
                let ended = try await store.cancelLeases(pool: pool, attempts: group.map { ($0.task.key, $0.attempt) }, at: clock.now())
                reports += group.map {
                    AttemptOutcomeReport(task: $0.task, attempt: $0.attempt, jobID: $0.jobID, alreadyEnded: ended.contains($0.task.key))
                }
            } catch {
                let failure = ProviderError(code: "LeaseTable", message: "cannot cancel: \(error)", retryable: true)
                reports += group.map { AttemptOutcomeReport(task: $0.task, attempt: $0.attempt, error: failure) }
            }
        }
        return reports
    }

    /// `offered`, or the worker holding (or that held) the lease: what `get tasks` shows as the job.
    static func jobID(_ lease: LeaseRecord) -> String {
        lease.worker.map { "lease:\($0)" } ?? "offered"
    }
}
