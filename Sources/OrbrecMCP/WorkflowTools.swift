internal import MCP
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// Workflow runs as tools: list the workflows, start a run, follow it, cancel it. The same
/// engine calls, documents and error codes as the daemon's `/api/v1/workflows` routes
/// (`unknown-workflow`, `unknown-run`, `run-in-progress`, `run-finished`); the answers about a
/// run carry next_actions naming these tools.
struct WorkflowTools: Sendable {
    let backend: any MCPBackend

    /// The workflow documents, in an object: structured content is one by the specification.
    struct Workflows: Encodable, Sendable {
        var workflows: [WorkflowSummaryDocument]
    }

    typealias RunAnswer = NextActionsAnswer<WorkflowRunDocument, LeaseAnswer.Action>

    /// A workflow's runs, in an object for the same reason.
    struct Runs: Encodable, Sendable {
        var runs: [WorkflowRunDocument]
    }

    /// `list_workflows`.
    func listWorkflows() async throws -> Workflows {
        let desired = try backend.desired()
        guard let store = try await backend.openExistingStore() else {
            // No state, so no run yet: what the configuration declares.
            return Workflows(workflows: Reconciler.workflowSummaries(withoutState: desired, now: SystemClock().now()).map { WorkflowSummaryDocument($0) })
        }
        let summaries = try await Self.refused { try await backend.reconciler(for: store).workflowSummaries(desired) }
        return Workflows(workflows: summaries.map { WorkflowSummaryDocument($0) })
    }

    /// `list_workflow_runs`: the engine call `orbrec workflows runs` and GET
    /// `/api/v1/workflows/{name}/runs` make, so the three answer the same runs and refusals.
    func runs(workflow: String, limit: Int?) async throws -> Runs {
        // As `orbrec workflows runs`: the configuration only tells a workflow with no runs yet
        // from a name that is none, so one being edited (invalid for now) does not hide the runs.
        let desired = backend.desiredIfValid()
        do {
            guard let store = try await backend.openExistingStore() else {
                guard let desired, desired.workflows[workflow] != nil else {
                    throw Reconciler.unknownWorkflow(workflow, configured: desired ?? DesiredState())
                }
                return Runs(runs: [])
            }
            let runs = try await backend.reconciler(for: store).workflowRuns(workflow: workflow, configured: desired ?? DesiredState(),
                                                                            limit: limit)
            return Runs(runs: runs.map(WorkflowRunDocument.init))
        } catch let refused as WorkflowRunRefused {
            // A name with no runs is unknown only if the configuration could say so; when it
            // could not, its diagnostics (invalid-configuration) say why.
            if refused.code == .unknownWorkflow && desired == nil { _ = try backend.desired() }
            throw ToolFailure(refused.code, refused.message)
        }
    }

    /// `start_workflow_run`: journaled, then carried out (by the daemon's loop, or by the next
    /// apply or daemon pass when no daemon serves these tools).
    func start(workflow: String, idempotencyKey: String?) async throws -> RunAnswer {
        try backend.checkMayJournal()
        let desired = try backend.desired()
        let store = try await backend.openStore()
        let start = try await Self.refused {
            try await backend.reconciler(for: store).startWorkflowRun(workflow: workflow, configured: desired, actor: backend.actor,
                                                                     idempotencyKey: idempotencyKey)
        }
        if start.created {
            backend.log("workflow run started over MCP", [("run", start.run.id), ("workflow", workflow)])
            await backend.workflowRunsChanged(workflow: workflow, cancelled: start.replaced)
        }
        return RunAnswer(WorkflowRunDocument(start), nextActions: Self.nextActions(start.run, state: start.run.state))
    }

    /// `get_workflow_run`.
    func get(runID: String) async throws -> RunAnswer {
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.unknownRun, "no run \(runID): there is no state yet")
        }
        let report = try await Self.refused { try await backend.reconciler(for: store).workflowRun(id: runID) }
        return RunAnswer(WorkflowRunDocument(report), nextActions: Self.nextActions(report.run, state: report.run.state))
    }

    /// `cancel_workflow_run`.
    func cancel(runID: String) async throws -> RunAnswer {
        try backend.checkMayJournal()
        guard let store = try await backend.openExistingStore() else {
            throw ToolFailure(.unknownRun, "no run \(runID): there is no state yet")
        }
        let reconciler = backend.reconciler(for: store)
        let run = try await Self.refused { try await reconciler.cancelWorkflowRun(id: runID, actor: backend.actor) }
        backend.log("workflow run cancelled over MCP", [("run", run.id)])
        await backend.workflowRunsChanged(workflow: run.workflow, cancelled: [run.id])
        let report = try await Self.refused { try await reconciler.workflowRun(id: run.id) }
        return RunAnswer(WorkflowRunDocument(report), nextActions: Self.nextActions(report.run, state: report.run.state))
    }

    /// The API's next actions for a run, as the tools that do them (watching the event stream
    /// has no tool: it is left out).
    static func nextActions(_ run: WorkflowRun, state: WorkflowRun.State) -> [LeaseAnswer.Action] {
        WorkflowRunNextActions.derive(workflow: run.workflow, runID: run.id, state: state).compactMap { next in
            let call: (tool: String, arguments: [String: Value])? = switch next.action {
            case "get": ("get_workflow_run", ["run_id": .string(run.id)])
            case "cancel": ("cancel_workflow_run", ["run_id": .string(run.id)])
            case "start": ("start_workflow_run", ["workflow": .string(run.workflow)])
            default: nil
            }
            guard let call else { return nil }
            return LeaseAnswer.Action(action: next.action, tool: call.tool, arguments: call.arguments, recommended: next.recommended,
                                      retryAfterSeconds: next.retryAfterSeconds, before: nil, reason: next.reason)
        }
    }

    /// Runs an engine call, its refusal becoming the tool's failure with the same code.
    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as WorkflowRunRefused {
            throw ToolFailure(refused.code, refused.message)
        }
    }
}

extension ToolArguments {
    /// `limit`, as the API's `?limit=` takes it: any positive integer.
    func limit() throws(ToolFailure) -> Int? {
        do {
            return try optionalInteger("limit", in: 1...Int64(Int.max)).map { Int($0) }
        } catch {
            throw .invalidArguments("limit must be a positive integer")
        }
    }

    /// A name or id, as the API's paths take them: a non-empty string of at most
    /// `MachineRequestInput.maxNameLength` characters.
    func identifier(_ name: String) throws(ToolFailure) -> String {
        guard let text = try optionalString(name, maxLength: MachineRequestInput.maxNameLength) else {
            throw .invalidArguments("\(tool) needs \(name) (a string)")
        }
        return text
    }
}
