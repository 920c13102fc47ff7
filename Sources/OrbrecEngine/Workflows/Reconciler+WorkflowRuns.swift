public import OrbrecCore
public import OrbrecStore

/// Workflow runs asked for and looked at by hand: the operations `orbrec workflows`, the
/// daemon's `/api/v1/workflows` routes and the MCP tools share. A run started here is only
/// journaled; the next pass (an apply, or the daemon's loop) carries it out.
extension Reconciler {
    /// Journals a manual run of `workflow` as its concurrency allows (`forbid` refuses with
    /// `run-in-progress` while one runs, `replace` cancels the running ones, `allow` starts it
    /// beside them). With an `idempotencyKey` that started a run before, answers that run.
    public func startWorkflowRun(workflow: String, configured: DesiredState, actor: String,
                                 idempotencyKey: String? = nil) async throws -> WorkflowRunStart {
        guard let spec = configured.workflows[workflow] else { throw Self.unknownWorkflow(workflow, configured: configured) }
        let now = clock.now()
        let run = WorkflowRun(id: Identifiers.workflowRun(), workflow: workflow, specHash: spec.specHash, trigger: .manual,
                              createdAt: now, steps: spec.steps.map { WorkflowRun.Step(name: $0.name) })
        switch try await store.startWorkflowRun(run, reason: "started by \(actor)", concurrency: spec.concurrency,
                                                idempotencyKey: idempotencyKey, at: now) {
        case .started(let replaced):
            return WorkflowRunStart(run: run, created: true, replaced: replaced)
        case .refused(let running):
            throw WorkflowRunRefused(.runInProgress, "run \(running.joined(separator: ", ")) of \(workflow) is still running (concurrency: forbid)",
                                     running: running)
        case .earlier(let id):
            guard let (earlier, _) = try await store.workflowRun(id: id) else {
                throw WorkflowRunRefused(.unknownRun, "the idempotency key started \(id), which the state no longer holds")
            }
            guard earlier.workflow == workflow else {
                throw WorkflowRunRefused(.idempotencyKeyReused, "this idempotency key started \(id) of \(earlier.workflow); "
                                             + "use a new key for a run of \(workflow)")
            }
            return WorkflowRunStart(run: earlier, created: false, replaced: [])
        }
    }

    /// Cancels a running run: its pending and running steps are cancelled, so the next pass
    /// cancels their tasks and gives back what its provision steps set. Answers the run as
    /// cancelled; `unknown-run` or `run-finished` when there is nothing to cancel.
    public func cancelWorkflowRun(id: String, actor: String) async throws -> WorkflowRun {
        guard try await store.cancelWorkflowRun(id: id, reason: "cancelled by \(actor)", at: clock.now()) else {
            guard let (run, _) = try await store.workflowRun(id: id) else { throw WorkflowRunRefused(.unknownRun, "no run \(id)") }
            throw WorkflowRunRefused(.runFinished, "run \(id) has ended (\(run.state.rawValue)); only a running run can be cancelled")
        }
        guard let (run, _) = try await store.workflowRun(id: id) else { throw WorkflowRunRefused(.unknownRun, "no run \(id)") }
        return run
    }

    /// Each workflow of the configuration with its newest run and the runs running now.
    public func workflowSummaries(_ configured: DesiredState) async throws -> [WorkflowSummary] {
        let now = clock.now()
        var summaries: [WorkflowSummary] = []
        for spec in configured.workflows.values.sorted(by: { $0.name < $1.name }) {
            let runs = try await store.workflowRuns(workflow: spec.name)
            summaries.append(WorkflowSummary(spec: spec, lastRun: runs.first, running: runs.filter { $0.state == .running }.map(\.id),
                                             nextScheduledAt: spec.trigger.schedule?.next(after: now)))
        }
        return summaries
    }

    /// The configuration's workflows when there is no state yet: no run has run.
    public static func workflowSummaries(withoutState configured: DesiredState, now: Instant) -> [WorkflowSummary] {
        configured.workflows.values.sorted { $0.name < $1.name }.map {
            WorkflowSummary(spec: $0, lastRun: nil, running: [], nextScheduledAt: $0.trigger.schedule?.next(after: now))
        }
    }

    /// One workflow of the configuration; `unknown-workflow` when it has none by that name.
    public func workflowSummary(_ name: String, configured: DesiredState) async throws -> WorkflowSummary {
        guard let spec = configured.workflows[name] else { throw Self.unknownWorkflow(name, configured: configured) }
        let runs = try await store.workflowRuns(workflow: name)
        return WorkflowSummary(spec: spec, lastRun: runs.first, running: runs.filter { $0.state == .running }.map(\.id),
                               nextScheduledAt: spec.trigger.schedule?.next(after: clock.now()))
    }

    /// A workflow's runs, newest first (at most `limit`). A workflow gone from the
    /// configuration still has its runs; a name with neither is `unknown-workflow`.
    public func workflowRuns(workflow: String, configured: DesiredState, limit: Int? = nil) async throws -> [WorkflowRun] {
        let runs = try await store.workflowRuns(workflow: workflow)
        if runs.isEmpty && configured.workflows[workflow] == nil { throw Self.unknownWorkflow(workflow, configured: configured) }
        return limit.map { Array(runs.prefix($0)) } ?? runs
    }

    /// One run with what each step caused: the requests its provision actions made, and its
    /// pool's tasks by state. `unknown-run` when there is none (or it is another workflow's).
    public func workflowRun(id: String, workflow: String? = nil) async throws -> WorkflowRunReport {
        guard let (run, reason) = try await store.workflowRun(id: id), workflow.map({ $0 == run.workflow }) ?? true else {
            throw WorkflowRunRefused(.unknownRun, "no run \(id)" + (workflow.map { " of \($0)" } ?? ""))
        }
        let requests = try await store.workflowStepRequests(runID: run.id)
        var steps: [WorkflowRunReport.Step] = []
        for step in run.steps {
            var report = WorkflowRunReport.Step(step: step, requests: requests[step.name] ?? [])
            // A step that never started has set nothing going: its pool is not looked for.
            if step.startedAt != nil {
                let pool = run.poolName(of: step.name)
                let tasks = try await store.tasks(pool: pool)
                if !tasks.isEmpty {
                    report.pool = pool
                    for task in tasks { report.tasks[task.state, default: 0] += 1 }
                }
            }
            steps.append(report)
        }
        return WorkflowRunReport(run: run, reason: reason, steps: steps)
    }

    public static func unknownWorkflow(_ name: String, configured: DesiredState) -> WorkflowRunRefused {
        let known = configured.workflows.keys.sorted()
        return WorkflowRunRefused(.unknownWorkflow, "no workflow '\(name)' in the configuration"
                                      + (known.isEmpty ? "" : "; workflows: \(known.joined(separator: ", "))"))
    }
}
