internal import Foundation
internal import Hummingbird
internal import HTTPTypes
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI

/// Workflow runs over HTTP, as a workflow orchestrator's daemon has them: list the workflows,
/// start a run (202 with its id at once; the loop starts moving it), follow it step by step,
/// cancel it. Starts and cancels are journaled before they are answered, and only by a daemon
/// that leads; reads work on every daemon.
struct WorkflowRoutes: Sendable {
    let loop: ReconcileLoop
    let limits: HTTPLimits

    func register(on api: RouterGroup<ServerContext>) {
        api.get("/workflows") { _, _ in
            try JSONBody.response(try await Self.refused { try await loop.workflowSummaries() }.map { WorkflowSummaryDocument($0) })
        }
        api.get("/workflows/:name") { _, context in
            let name = try Self.name(context)
            return try JSONBody.response(WorkflowSummaryDocument(try await Self.refused { try await loop.workflowSummary(name) }, detailed: true))
        }
        api.post("/workflows/:name/runs") { request, context in try await start(request, context) }
        api.get("/workflows/:name/runs") { request, context in
            let name = try Self.name(context)
            let limit = try Self.limit(request)
            let runs = try await Self.refused { try await loop.workflowRuns(workflow: name, limit: limit) }
            return try JSONBody.response(runs.map(WorkflowRunDocument.init))
        }
        api.get("/workflows/:name/runs/:id") { _, context in
            let (name, id) = (try Self.name(context), try Self.runID(context))
            return try Self.answer(try await Self.refused { try await loop.workflowRun(id: id, workflow: name) })
        }
        api.post("/workflows/:name/runs/:id/cancel") { request, context in try await cancel(request, context) }
    }

    // MARK: Writes

    func start(_ request: Request, _ context: ServerContext) async throws -> Response {
        try leads()
        let name = try Self.name(context)
        try Self.noFields(try await request.boundedBody(limits))
        let key = try Self.idempotencyKey(request)
        let start = try await Self.refused {
            try await loop.startWorkflowRun(workflow: name, actor: Self.actor(context), idempotencyKey: key)
        }
        let next = WorkflowRunNextActions.derive(workflow: start.run.workflow, runID: start.run.id, state: start.run.state)
        return try JSONBody.response(NextActionsAnswer(WorkflowRunDocument(start), nextActions: next.map(LeaseAnswer.Action.init)),
                                     status: .accepted)
    }

    func cancel(_ request: Request, _ context: ServerContext) async throws -> Response {
        try leads()
        let (name, id) = (try Self.name(context), try Self.runID(context))
        try Self.noFields(try await request.boundedBody(limits))
        // Another workflow's run is not found here, and is left running.
        _ = try await Self.refused { try await loop.workflowRun(id: id, workflow: name) }
        let run = try await Self.refused { try await loop.cancelWorkflowRun(id: id, actor: Self.actor(context)) }
        return try Self.answer(try await Self.refused { try await loop.workflowRun(id: run.id, workflow: name) }, status: .accepted)
    }

    /// One run with what each step caused and what to call next.
    static func answer(_ report: WorkflowRunReport, status: HTTPResponse.Status = .ok) throws -> Response {
        let next = WorkflowRunNextActions.derive(workflow: report.run.workflow, runID: report.run.id, state: report.run.state)
        return try JSONBody.response(NextActionsAnswer(WorkflowRunDocument(report), nextActions: next.map(LeaseAnswer.Action.init)),
                                     status: status)
    }

    /// Writes are a leader's: a follower's journal entry would wait for the leader's next
    /// periodic look, and its answer could not say it was acted on.
    func leads() throws {
        if let role = loop.status.current.role, !role.leads { throw APIError.notLeader(role.leader) }
    }

    // MARK: Input

    /// Names and ids are short; anything longer names nothing here (and is not echoed whole).
    static let maxNameLength = MachineRequestInput.maxNameLength

    static func name(_ context: ServerContext) throws -> String {
        let raw = try context.parameters.require("name")
        let name = raw.removingPercentEncoding ?? raw
        guard name.count <= maxNameLength else {
            throw APIError(.notFound, .unknownWorkflow, "no workflow \(name.prefix(64))… in the configuration")
        }
        return name
    }

    static func runID(_ context: ServerContext) throws -> String {
        let raw = try context.parameters.require("id")
        let id = raw.removingPercentEncoding ?? raw
        guard id.count <= maxNameLength else {
            throw APIError(.notFound, .unknownRun, "no run \(id.prefix(64))…")
        }
        return id
    }

    static func limit(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters.get("limit") else { return nil }
        guard let value = Int(text), value > 0 else { throw APIError(.badRequest, .badLimit, "limit must be a positive integer") }
        return value
    }

    /// A start or cancel takes no fields: an empty body, or `{}`.
    static func noFields(_ body: Data) throws {
        guard !body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return }
        do {
            _ = try MachineRequestInput.object(body, allowed: [])
        } catch {
            throw error.apiError
        }
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else { return nil }
        guard key.count <= 200 else { throw APIError(.badRequest, .badIdempotencyKey, "Idempotency-Key is at most 200 characters") }
        return key
    }

    /// Who asked, as the journal keeps it: the API, and the address the request came from.
    static func actor(_ context: ServerContext) -> String { "api@\(context.client)" }

    /// Runs an engine call, its refusal becoming the API's error with the same code.
    static func refused<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let refused as WorkflowRunRefused {
            throw refused.apiError
        }
    }
}
