public import OrbrecCore
internal import OrbrecStore

/// How an apply pass plans and carries out: the same for `orbrec apply`, `orbrec destroy` and
/// each pass of the daemon.
public struct ApplyPassOptions: Sendable {
    public var allowEmpty: Bool
    /// `--target`, `--replace`, `destroy`. The plan the pass leaves behind (`settled`) keeps only
    /// `destroy`: a targeted pass still records the status of everything.
    public var surgery: PlanSurgery
    public var parallelism: Int
    /// Whether the configuration is recorded as applied after the actions (a targeted destroy
    /// leaves the state as it was applied).
    public var recordsApplied: Bool
    /// Once true nothing more starts: what was journaled but not started is cancelled with
    /// `stopReason`, and the pass ends `stopped` (still recording what the actions it carried
    /// out changed, as a finished pass does).
    public var shouldStop: @Sendable () -> Bool
    public var stopReason: String

    public init(allowEmpty: Bool, surgery: PlanSurgery = PlanSurgery(), parallelism: Int, recordsApplied: Bool = true,
                shouldStop: @escaping @Sendable () -> Bool = { false }, stopReason: String = "the pass stopped before it started") {
        self.allowEmpty = allowEmpty
        self.surgery = surgery
        self.parallelism = parallelism
        self.recordsApplied = recordsApplied
        self.shouldStop = shouldStop
        self.stopReason = stopReason
    }
}

/// What one apply pass did.
public struct ApplyPassResult: Sendable {
    /// The plan the pass made (with the snapshot it was made from).
    public var planned: PlanResult
    /// What the caller chose to carry out of it, and how each action ended.
    public var carriedOut: [ScheduledAction]
    public var outcomes: [ActionOutcome]
    /// The state after the actions (the snapshot the plan came from when nothing ran), and what
    /// is left to do in it (the plan made before when no plan can be made from it).
    public var after: Snapshot
    public var settled: PlanResult
    /// The status recorded with the configuration as applied; nil when the pass recorded nothing.
    public var report: StatusReport?
    /// The pass was told to stop before it had started every action it chose: those it had
    /// not started are cancelled in the journal.
    public var stopped: Bool

    public var failed: [ActionOutcome] { outcomes.filter { !$0.succeeded } }
}

extension Reconciler {
    /// One pass, as every channel that applies runs it: carry on what a stopped process left
    /// (journaled intents), observe (advancing workflow runs), plan, let the caller choose what
    /// to carry out (`choose`: a saved plan, a confirmation, a policy gate, a key filter), journal
    /// and carry it out, observe again and record the configuration as applied with the status
    /// of the state it left. The caller holds the state lock.
    ///
    /// `observed` hears of the snapshot before anything is planned from it (the daemon's pool
    /// catalog must know a run's pools even when no plan can be made). Throws `PlanFailure` when
    /// no plan can be made, and whatever `choose` throws (nothing was carried out then). `choose` runs in the caller's isolation (the daemon's loop).
    public func applyPass(desired: DesiredState, options: ApplyPassOptions, isolation: isolated (any Actor)? = #isolation,
                          progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in },
                          observed: (Snapshot) async -> Void = { _ in },
                          choose: (PlanResult) async throws -> [ScheduledAction]) async throws -> ApplyPassResult {
        for line in try await recoverInterrupted(desired: desired) { progress(.recovered(line)) }
        let before = try await snapshot(of: desired, sync: true)
        for note in before.workflowNotes { progress(.note(note)) }
        await observed(before)
        let planned = try plan(before, allowEmpty: options.allowEmpty, surgery: options.surgery)
        let chosen = try await choose(planned)
        let outcomes = try await execute(chosen, snapshot: before, parallelism: options.parallelism,
                                         shouldStop: options.shouldStop, progress: progress)
        var result = ApplyPassResult(planned: planned, carriedOut: chosen, outcomes: outcomes, after: before, settled: planned,
                                     report: nil, stopped: outcomes.count < chosen.count && options.shouldStop())
        if result.stopped {
            try await store.cancelPlannedActions(reason: options.stopReason, at: clock.now())
            // Nothing changed; what did change is recorded below, as a finished pass records it (a
            // provider it used is then known to the state should the configuration drop it).
            if outcomes.isEmpty { return result }
        }
        if !outcomes.isEmpty {
            result.after = try await snapshot(of: desired, sync: true)
            for note in result.after.workflowNotes { progress(.note(note)) }
        }
        let left = PlanSurgery(destroy: options.surgery.destroy)
        if !outcomes.isEmpty || left != options.surgery,
           let settled = try? plan(result.after, allowEmpty: options.allowEmpty, surgery: left) {
            result.settled = settled
        }
        if options.recordsApplied { result.report = try await recordApplied(result.after, plan: result.settled.plan) }
        return result
    }
}
