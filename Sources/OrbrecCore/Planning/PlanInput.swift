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

    public init(desired: DesiredState, observed: ObservedState, recorded: [RecordedMachine] = [],
                known: [KnownResource] = [], allowEmpty: Bool = false) {
        self.desired = desired
        self.observed = observed
        self.recorded = recorded
        self.known = known
        self.allowEmpty = allowEmpty
    }
}
