/// Which runs of a workflow are due, and what starting them does to the runs in progress.
public struct WorkflowTriggers: Sendable {
    public struct Start: Hashable, Sendable {
        public var trigger: WorkflowRun.Trigger
        public var scheduledFor: Instant?
        /// Why, for plans and logs: `generation 3f2a… has not run`, `schedule 0 2 * * * came due at …`.
        public var reason: String
        /// Runs to cancel first (`concurrency: replace`).
        public var cancels: [String]
    }

    public struct Decision: Hashable, Sendable {
        public var starts: [Start] = []
        /// Runs that were due but not started (`concurrency: forbid`), with why.
        public var held: [String] = []
    }

    public init() {}

    /// - Parameters:
    ///   - runs: the workflow's runs, any state.
    ///   - since: when the workflow was first applied; a schedule is not due before it.
    public func decide(_ spec: WorkflowSpec, runs: [WorkflowRun], since: Instant, now: Instant) -> Decision {
        var due: [(WorkflowRun.Trigger, Instant?, String)] = []
        // A run recorded before the upgrade to canonical hashes carries the old hash of the same spec.
        if spec.trigger.onChange && !runs.contains(where: { $0.specHash == spec.specHash || $0.specHash == spec.legacySpecHash }) {
            due.append((.change, nil, "generation \(spec.specHash.prefix(8)) has not run"))
        }
        if let schedule = spec.trigger.schedule {
            let lastScheduled = runs.compactMap(\.scheduledFor).max()
            let from = max(since, lastScheduled.map { $0.adding(ConfigDuration(milliseconds: 60_000)) } ?? since)
            if let moment = schedule.latest(atOrBefore: now, since: from) {
                due.append((.schedule, moment, "schedule \(schedule.expression) came due at \(CivilTime(moment))"))
            }
        }
        var decision = Decision()
        guard let first = due.first else { return decision }
        // Due for several reasons at once is one run, for the first of them; a scheduled
        // moment is still recorded so it is not due again.
        let scheduledFor = due.compactMap(\.1).first
        let reason = due.map(\.2).joined(separator: "; ")
        let active = runs.filter { $0.state == .running }.map(\.id).sorted()
        switch spec.concurrency {
        case .forbid where !active.isEmpty:
            decision.held.append("\(reason): not started, run \(active.joined(separator: ", ")) is still running (concurrency: forbid)")
        case .replace:
            decision.starts.append(Start(trigger: first.0, scheduledFor: scheduledFor, reason: reason, cancels: active))
        default:
            decision.starts.append(Start(trigger: first.0, scheduledFor: scheduledFor, reason: reason, cancels: []))
        }
        return decision
    }
}
