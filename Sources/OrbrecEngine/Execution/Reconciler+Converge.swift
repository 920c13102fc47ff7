public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Re-observes and re-plans until every resource is synced and healthy, executing (and
    /// journaling) each pass's actions. Throws `ConvergeTimeout` when `timeout` passes first.
    public func converge(desired: DesiredState, allowEmpty: Bool, parallelism: Int, timeout: ConfigDuration,
                         pollInterval: ConfigDuration = ConfigDuration(milliseconds: 250), policyOverride: String? = nil,
                         alreadyOverridden: Set<PolicyViolation> = [],
                         progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }) async throws -> [ActionOutcome] {
        let deadline = clock.now().adding(timeout)
        var outcomes: [ActionOutcome] = []
        // Passes that keep replacing broken machines (one that dies as soon as it starts) wait
        // longer each time, up to 5 s, so a crash loop does not spin; other passes (a pool
        // submitting its next batch) keep the short interval.
        var wait = pollInterval.milliseconds
        let longestWait: Int64 = 5000
        var overridden = alreadyOverridden
        while true {
            let snapshot = try await snapshot(of: desired, sync: true)
            for note in snapshot.workflowNotes { progress(.note(note)) }
            let result = try plan(snapshot, allowEmpty: allowEmpty)
            let running = try !store.workflowRuns(runningOnly: true).isEmpty
            let report = StatusReport(desired: snapshot.desired, machines: snapshot.machines, plan: result.plan,
                                      unreachableProviders: snapshot.observed.unreachableProviders, tasks: snapshot.tasks,
                                      unreachableSchedulers: snapshot.observed.unreachableSchedulers)
            try recordApplied(snapshot, plan: result.plan)
            if result.plan.isEmpty && report.isConverged && !running { return outcomes }
            progress(.waiting(report))
            if clock.now() >= deadline { throw ConvergeTimeout(report: report, timeout: timeout) }
            let replacingBroken = result.plan.actions.contains {
                $0.verb == .replace && ($0.reason == .machineLost || $0.reason == .machineUnhealthy)
            }
            if !result.plan.isEmpty {
                // Every pass is a plan, and every plan answers to the policies.
                if result.policy.blocks(overridden: policyOverride != nil) { throw PolicyDenied(report: result.policy) }
                if let policyOverride {
                    let fresh = result.policy.blocking.filter { $0.isOverridable && !overridden.contains($0) }
                    if !fresh.isEmpty {
                        try recordPolicyOverride(PolicyReport(violations: fresh), reason: policyOverride,
                                                 configRevision: result.plan.configRevision)
                        overridden.formUnion(fresh)
                    }
                }
                outcomes += try await execute(result.scheduled, snapshot: snapshot, parallelism: parallelism, progress: progress)
            }
            wait = replacingBroken ? min(longestWait, wait * 2) : pollInterval.milliseconds
            try await Task.sleep(for: .milliseconds(wait))
        }
    }
}

/// `apply --wait` ran out of time before everything converged.
public struct ConvergeTimeout: Error, Sendable {
    public var report: StatusReport
    public var timeout: ConfigDuration
}

/// A plan failed a blocking policy: nothing of it was carried out.
public struct PolicyDenied: Error, Sendable {
    public var report: PolicyReport
}
