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
    /// What each template hash was made from (`TemplateSpec.replacementFieldValues`), as the
    /// journal recorded it, so a replacement can say which fields changed.
    public var templateHistory: [String: [String: String]] = [:]
    /// `--target`: plan only these resources and what they depend on. Empty plans everything.
    public var targets: Set<ResourceID> = []
    /// `--replace`: machines to replace even though nothing says they must be.
    public var replaceMachines: Set<String> = []
    /// `destroy`: plan as if the configuration declared nothing: every machine returned,
    /// every unfinished task cancelled.
    public var destroy: Bool = false
    /// What each scheduler said of its partitions and accounts, for those the configuration
    /// names; a scheduler left out is not checked (a plan without refresh).
    public var queues: [String: QueueObservation] = [:]

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
