public import OrbrecCore

/// How one action ended.
public struct ActionOutcome: Sendable, Hashable {
    public var id: String
    public var action: PlannedAction
    public var succeeded: Bool
    public var message: String
    /// The requests it made (`req-…`, `ret-…`).
    public var requests: [String]
}

/// Progress of an apply, for a progress line or a log.
public enum ApplyProgress: Sendable {
    case started(ScheduledAction)
    case finished(ActionOutcome)
    case waiting(StatusReport)
    /// An action a stopped process left journaled, carried on before the pass plans.
    case recovered(String)
    /// A workflow run started, a step started or ended, a run ended.
    case note(String)
    /// Pools moving on events: each one's counts (at most four times a second).
    case pools([(pool: String, counts: TaskDispatcher.Counts)])
}
