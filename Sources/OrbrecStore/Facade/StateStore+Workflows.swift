public import OrbrecCore

extension StateStore {
    /// Records a new run with its steps (all pending, or as given), and an event, in one
    /// transaction; runs listed in `cancelling` are cancelled first (`concurrency: replace`).
    public func startWorkflowRun(_ run: WorkflowRun, reason: String, cancelling: [String] = [], at now: Instant) async throws {
        try await backend.startWorkflowRun(run, reason: reason, cancelling: cancelling, at: now)
    }

    /// Starts a run asked for by hand as the workflow's `concurrency` allows, judged in the
    /// transaction that records it: `forbid` refuses while a run is running, `replace` cancels
    /// the running ones first, `allow` starts it beside them. An `idempotencyKey` that started a
    /// run before answers that run and starts nothing.
    public func startWorkflowRun(_ run: WorkflowRun, reason: String, concurrency: WorkflowSpec.Concurrency, idempotencyKey: String? = nil,
                                 at now: Instant) async throws -> WorkflowRunAdmission {
        try await backend.startWorkflowRun(run, reason: reason, concurrency: concurrency, idempotencyKey: idempotencyKey, at: now)
    }

    /// Writes how a run moved on (steps started and ended, the run's end), with an event for
    /// each change, in one transaction. Nothing is written for an empty progress.
    public func recordWorkflowProgress(_ run: WorkflowRun, _ progress: WorkflowProgress, at now: Instant) async throws {
        try await backend.recordWorkflowProgress(run, progress, at: now)
    }

    /// Cancels a running run: its running and pending steps are cancelled, so its pools
    /// leave the desired state and their tasks are cancelled by the next plan. False when
    /// there is no such running run.
    @discardableResult
    public func cancelWorkflowRun(id: String, reason: String, at now: Instant) async throws -> Bool {
        try await backend.cancelWorkflowRun(id: id, reason: reason, at: now)
    }

    /// Runs, newest first; of one workflow when given; only those still running when asked.
    public func workflowRuns(workflow: String? = nil, runningOnly: Bool = false) async throws -> [WorkflowRun] {
        try await backend.workflowRuns(workflow: workflow, runningOnly: runningOnly)
    }

    public func workflowRun(id: String) async throws -> (run: WorkflowRun, reason: String)? {
        try await backend.workflowRun(id: id)
    }

    /// When orbrec first saw the workflow: a schedule's moments before it start no run.
    public func workflowFirstSeen(_ workflow: String) async throws -> Instant? {
        try await backend.workflowFirstSeen(workflow)
    }

    /// The same, recording `now` the first time.
    public func workflowFirstSeen(_ workflow: String, orRecord now: Instant) async throws -> Instant {
        try await backend.workflowFirstSeen(workflow, orRecord: now)
    }

    /// The requests each step of a run caused, by step name, oldest first.
    public func workflowStepRequests(runID: String) async throws -> [String: [RequestRecord]] {
        try await backend.workflowStepRequests(runID: runID)
    }
}
