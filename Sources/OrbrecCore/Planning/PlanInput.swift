/// Everything the planner reads. It is pure data: the planner does no I/O.
public struct PlanInput: Sendable, Hashable {
    public var desired: DesiredState
    public var observed: ObservedState
    /// Machines the journal holds that are not yet returned (including those it believes lost).
    public var recorded: [RecordedMachine]
    /// Resources applied before, for pruning and its guards.
    public var known: [KnownResource]
    /// Allow a configuration with no resources to prune everything.
    public var allowEmpty: Bool
    /// Tasks the journal holds, in any state.
    public var tasks: [TaskStatus]
    /// When each pool's first attempt was submitted, for its deadline.
    public var poolStartedAt: [String: Instant]
    /// Now, for backoff and deadlines; the planner never reads a clock.
    public var now: Instant

    public init(desired: DesiredState, observed: ObservedState, recorded: [RecordedMachine] = [],
                known: [KnownResource] = [], allowEmpty: Bool = false, tasks: [TaskStatus] = [],
                poolStartedAt: [String: Instant] = [:], now: Instant = .epoch) {
        self.tasks = tasks
        self.poolStartedAt = poolStartedAt
        self.now = now
        self.desired = desired
        self.observed = observed
        self.recorded = recorded
        self.known = known
        self.allowEmpty = allowEmpty
    }
}
