public import OrbrecCore
internal import OrbrecStore

extension Reconciler {
    /// Re-observes and re-plans until every resource is synced and healthy, executing (and
    /// journaling) each pass's actions. Throws `ConvergeTimeout` when `timeout` passes first.
    ///
    /// Once `shouldStop` answers true nothing more starts (no action, no attempt); the actions in
    /// flight finish, those not started stay `planned` for the caller to cancel, and it throws
    /// `ConvergeStopped`. Ask for a look (`attemptEnds.requestLook()`) to end a wait early.
    public func converge(desired: DesiredState, allowEmpty: Bool, parallelism: Int, timeout: ConfigDuration,
                         pollInterval: ConfigDuration = ConfigDuration(milliseconds: 250), policyOverride: String? = nil,
                         alreadyOverridden: Set<PolicyViolation> = [],
                         shouldStop: @escaping @Sendable () -> Bool = { false },
                         progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }) async throws -> [ActionOutcome] {
        let deadline = clock.now().adding(timeout)
        var outcomes: [ActionOutcome] = []
        // Passes that keep replacing broken machines (one that dies as soon as it starts) wait
        // longer each time, up to 5 s, so a crash loop does not spin; other passes (a pool
        // submitting its next batch) keep the short interval.
        var wait = pollInterval.milliseconds
        let longestWait: Int64 = 5000
        var overridden = alreadyOverridden
        // Attempt ends wake the wait between passes: the flow fills each freed slot at once.
        let wakeup = WakeupSignal()
        attemptEnds.listen { wakeup.signal() }
        defer { attemptEnds.listen(nil) }
        var flow: TaskFlow?
        while true {
            try await flow?.flush()
            flow = nil
            if shouldStop() { throw ConvergeStopped() }
            let snapshot = try await snapshot(of: desired, sync: true)
            for note in snapshot.workflowNotes { progress(.note(note)) }
            let result = try plan(snapshot, allowEmpty: allowEmpty)
            let running = try await !store.workflowRuns(runningOnly: true).isEmpty
            let report = try await recordApplied(snapshot, plan: result.plan)
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
                        try await recordPolicyOverride(PolicyReport(violations: fresh), reason: policyOverride,
                                                       configRevision: result.plan.configRevision)
                        overridden.formUnion(fresh)
                    }
                }
                outcomes += try await execute(result.scheduled, snapshot: snapshot, parallelism: parallelism,
                                              shouldStop: shouldStop, progress: progress)
                if shouldStop() { throw ConvergeStopped() }
            }
            wait = replacingBroken ? min(longestWait, wait * 2) : pollInterval.milliseconds
            // Between passes, pools move on events; the next pass comes after a longer wait while
            // they do (it is the safety net and moves fleets and workflows), or when they drain.
            // Steps carry out what this pass planned for its pools: not while a policy blocks it.
            // Workers' reports reach the daemon, not this process: pull pools move by passes here.
            flow = await result.policy.blocks(overridden: policyOverride != nil) ? nil
                : try TaskFlow.make(self, snapshot: snapshot, stale: !result.plan.isEmpty, hearsWorkers: false)
            if let flow {
                // Pools the flow does not move (a cluster's, a pull pool) keep the short pace of passes.
                let moved = Set(await flow.pools)
                let others = report.rows.contains { $0.id.kind == .taskPool && $0.sync != .synced && !moved.contains($0.id.name) }
                let pace = others ? wait : max(wait, Self.passIntervalWhileFlowing.milliseconds)
                let until = clock.now().adding(ConfigDuration(milliseconds: pace))
                try await flow.run(until: min(until, deadline), ends: attemptEnds, wakeup: wakeup, clock: clock,
                                   shouldStop: shouldStop) { counts in
                    progress(.pools(counts))
                }
            } else {
                // In slices, so a stop is heard within one.
                var slept: Int64 = 0
                while slept < wait, !shouldStop() {
                    let slice = min(50, wait - slept)
                    try await Task.sleep(for: .milliseconds(slice))
                    slept += slice
                }
            }
        }
    }

    /// How often `apply --wait` takes a whole look while pools move on events.
    static let passIntervalWhileFlowing = ConfigDuration(milliseconds: 5000)
}

extension TaskFlow {
    /// Steps on every announced end (and due retry) until `until`, or until the pools drain.
    /// Ends that arrive while a step's transaction is written are taken together by the next.
    func run(until: Instant, ends: AttemptEnds, wakeup: WakeupSignal, clock: any Clock,
             shouldStop: @Sendable () -> Bool = { false },
             progress: @Sendable ([(pool: String, counts: TaskDispatcher.Counts)]) -> Void) async throws {
        var lastProgress = Instant(millisecondsSinceEpoch: 0)
        while true {
            let now = clock.now()
            if now >= until || shouldStop() { break }
            if ends.takeLookRequest() { break }
            let announced = ends.take()
            let retryDue = nextRetry.map { $0 <= now } ?? false
            if announced.isEmpty && !retryDue {
                if isDrained { break }
                // Jobs of started attempts are confirmed with the next step, or after a short wait.
                var timeout = until.millisecondsSinceEpoch - now.millisecondsSinceEpoch
                if needsFlush { timeout = min(timeout, Self.confirmWithin.milliseconds) }
                if let retry = nextRetry { timeout = min(timeout, max(1, retry.millisecondsSinceEpoch - now.millisecondsSinceEpoch)) }
                await wakeup.wait(upTo: .milliseconds(max(1, timeout)))
                if !ends.hasPending { try await flush() }
                continue
            }
            try await step(announced)
            if now.millisecondsSinceEpoch - lastProgress.millisecondsSinceEpoch >= 250 {
                lastProgress = now
                progress(counts)
            }
        }
        try await flush()
        progress(counts)
    }

    /// How long a started attempt's job may wait for the next step before it is journaled alone.
    static let confirmWithin = ConfigDuration(milliseconds: 50)
}

/// `apply --wait` ran out of time before everything converged.
public struct ConvergeTimeout: Error, Sendable {
    public var report: StatusReport
    public var timeout: ConfigDuration
}

/// `apply --wait` was asked to stop (SIGINT): nothing more was started.
public struct ConvergeStopped: Error, Sendable {
    public init() {}
}

/// A plan failed a blocking policy: nothing of it was carried out.
public struct PolicyDenied: Error, Sendable {
    public var report: PolicyReport
}
