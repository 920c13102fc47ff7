public import OrbrecCore
public import OrbrecStore

/// Desired and observed state at one moment, with what the journal remembers.
public struct Snapshot: Sendable {
    public var desired: DesiredState
    /// The configuration `desired` was made from: it still holds the pools workflow steps refer
    /// to, which `desired` leaves out (they do not run on their own) and status shows as patterns.
    public var configured: DesiredState
    /// Whether providers and schedulers were asked (false: the journal stood in for them, and
    /// what they were last seen to be is in the journal's conditions, not in `observed`).
    public var refreshed = true
    public var observed: ObservedState
    public var recorded: [MachineRecord]
    public var known: [KnownResource]
    public var tasks: [TaskStatus]
    public var poolStartedAt: [String: Instant]
    public var now: Instant
    /// What this snapshot's sync did to workflow runs (runs started, steps moved on).
    public var workflowNotes: [String] = []
    /// What each recorded template hash was made from, for the fields a replacement changes.
    public var templateHistory: [String: [String: String]] = [:]
    /// What schedulers said of the partitions and accounts the configuration names (refresh only).
    public var queues: [String: QueueObservation] = [:]

    public init(desired: DesiredState, observed: ObservedState = ObservedState(), recorded: [MachineRecord] = [],
                known: [KnownResource] = [], tasks: [TaskStatus] = [], poolStartedAt: [String: Instant] = [:], now: Instant = .epoch) {
        self.tasks = tasks
        self.poolStartedAt = poolStartedAt
        self.now = now
        self.desired = desired
        self.configured = desired
        self.observed = observed
        self.recorded = recorded
        self.known = known
    }

    /// Machines as the planner sees them: reports merged with records, a machine of its
    /// template's current fields stamped with its current hash.
    public var machines: [FleetMachine] {
        FleetMachine.restamped(FleetMachine.merge(observed: observed, recorded: recorded.map(\.recorded)),
                               desired: desired, history: templateHistory)
    }

    public func planInput(allowEmpty: Bool, surgery: PlanSurgery = PlanSurgery()) -> PlanInput {
        var input = PlanInput(desired: desired, observed: observed, recorded: recorded.map(\.recorded), known: known, allowEmpty: allowEmpty,
                              tasks: tasks, poolStartedAt: poolStartedAt, now: now)
        input.templateHistory = templateHistory
        input.targets = surgery.targets
        input.replaceMachines = surgery.replaceMachines
        input.destroy = surgery.destroy
        input.queues = queues
        return input
    }
}

/// A plan ready to show, save or apply: actions with their ids and the snapshot they came from.
public struct PlanResult: Sendable {
    public var plan: Plan
    public var scheduled: [ScheduledAction]
    public var snapshot: Snapshot
    /// The plan checked against every policy of the configuration.
    public var policy: PolicyReport

    /// A plan made without a reconciler (there is no state yet to plan against).
    public init(plan: Plan, scheduled: [ScheduledAction], snapshot: Snapshot, policy: PolicyReport = PolicyReport()) {
        self.plan = plan
        self.scheduled = scheduled
        self.snapshot = snapshot
        self.policy = policy
    }
}
