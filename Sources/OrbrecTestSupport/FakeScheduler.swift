public import OrbrecCore
internal import Synchronization

/// An in-memory scheduler for engine unit tests: attempts run until the test ends them.
/// Schedulers are never tested against it.
public final class FakeScheduler: Scheduler {
    public let name: String
    private let state = Mutex<[String: ObservedAttempt]>([:])
    private let submitted = Mutex<[String]>([])

    public init(name: String = "cpu") { self.name = name }

    private static func slot(_ task: TaskID, _ attempt: Int) -> String { "\(task)#\(attempt)" }

    /// Every attempt ever started, as `pool/key#attempt`, in order.
    public var submissions: [String] { submitted.withLock { $0 } }

    public var running: [ObservedAttempt] { state.withLock { $0.values.filter(\.isRunning).sorted { $0.task < $1.task } } }

    /// Ends a running attempt with an exit code.
    public func end(_ task: TaskID, attempt: Int, exitCode: Int) {
        state.withLock { attempts in
            attempts[Self.slot(task, attempt)]?.outcome = AttemptOutcome(exitCode: exitCode, host: "fake")
        }
    }

    /// Forgets an attempt, as if its node died.
    public func lose(_ task: TaskID, attempt: Int) {
        _ = state.withLock { $0.removeValue(forKey: Self.slot(task, attempt)) }
    }

    public func attempts(ownedBy owner: String) async throws -> [ObservedAttempt] {
        state.withLock { Array($0.values) }.sorted { ($0.task, $0.attempt) < ($1.task, $1.attempt) }
    }

    public func submit(_ order: SubmitOrder) async -> [AttemptOutcomeReport] {
        order.attempts.map { attempt in
            let id = TaskID(pool: order.pool, key: attempt.key)
            let observed = ObservedAttempt(scheduler: name, task: id, attempt: attempt.attempt, jobID: "fake-\(id)#\(attempt.attempt)")
            state.withLock { $0[Self.slot(id, attempt.attempt)] = observed }
            submitted.withLock { $0.append("\(id)#\(attempt.attempt)") }
            return AttemptOutcomeReport(task: id, attempt: attempt.attempt, jobID: observed.jobID)
        }
    }

    public func cancel(_ attempts: [ObservedAttempt]) async -> [AttemptOutcomeReport] {
        attempts.map { attempt in
            state.withLock { $0[Self.slot(attempt.task, attempt.attempt)]?.outcome = AttemptOutcome(cancelled: true) }
            return AttemptOutcomeReport(task: attempt.task, attempt: attempt.attempt, jobID: attempt.jobID)
        }
    }
}
