internal import Logging
internal import MCP
internal import OrbrecAPI
internal import OrbrecCore

/// orbrec as a Model Context Protocol server: tools to read the resources, their status, a
/// plan preview, requests and tasks, to requeue dead letters, and for workers of pull pools
/// to claim and end tasks. Every tool failure is a result with `isError: true` and a JSON
/// body `{"error": {"code", "message", "diagnostics"?}}`; protocol errors are kept for what is
/// not a tool call at all (an unknown tool, a malformed request).
public struct OrbrecMCPServer: Sendable {
    let backend: any MCPBackend
    let version: String

    public init(backend: any MCPBackend, version: String) {
        self.backend = backend
        self.version = version
    }

    static let instructions = """
        orbrec reconciles declared compute capacity (providers, templates, fleets, schedulers, task pools, workflows) \
        with what providers report. Read with list_resources, status, plan_preview (read-only: nothing is journaled), \
        show_request and list_tasks; requeue_tasks moves dead-lettered tasks back to pending. As with the Open Resource \
        Broker, list_templates and get_template show what can be asked for, request_machines asks for machines of a \
        template, get_request_status follows requests, return_machines gives machines back. list_workflows shows the \
        workflows and list_workflow_runs a workflow's runs; start_workflow_run starts a run (answered at once), \
        get_workflow_run follows its steps, cancel_workflow_run stops it. list_partitions and list_jobs show what the schedulers hold now. create_task posts a task (a key and string args) to a pool with source: api, \
        cancel_task cancels one. Workers of pull pools \
        call claim_task, then complete_task or fail_task (heartbeat_task to extend the lease, release_task to give the \
        task back) with the token the claim returned; every answer carries next_actions. A failed call returns \
        isError with {"error": {"code", "message"}}.
        """

    /// Serves over standard input and output (newline-delimited JSON-RPC) until the input
    /// ends, then answers the calls still in flight and returns.
    public func serveStandardIO() async throws {
        let logger = Logger(label: "orbrec.mcp", factory: { _ in SwiftLogNoOpLogHandler() })
        try await serve(DrainingTransport(StdioTransport(logger: logger), logger: logger))
    }

    /// A server with orbrec's tools, not yet started.
    func makeServer() async -> Server {
        let server = Server(name: "orbrec", version: version, instructions: Self.instructions,
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: ToolCatalog.tools) }
        await server.withMethodHandler(CallTool.self) { [self] params in
            try await call(params.name, arguments: params.arguments)
        }
        return server
    }

    func serve(_ transport: any Transport) async throws {
        let server = await makeServer()
        try await server.start(transport: transport) { client, _ in
            backend.log("MCP client connected", [("client", client.name), ("version", client.version)])
        }
        await server.waitUntilCompleted()
        await server.stop()
    }

    /// Runs one tool. A tool's failure is an `isError` result; only an unknown tool is a
    /// protocol error (invalid params), as the MCP specification has it.
    func call(_ name: String, arguments: [String: Value]?) async throws -> CallTool.Result {
        guard let allowed = ToolCatalog.arguments(of: name) else {
            throw MCPError.invalidParams("Unknown tool: \(name); tools/list names them")
        }
        let started = ContinuousClock.now
        do {
            let arguments = try ToolArguments(tool: name, values: arguments, allowed: allowed)
            let result = try await run(name, arguments)
            backend.log("tool call", [("tool", name), ("ms", "\(Int(started.duration(to: .now) / .milliseconds(1)))")])
            return result
        } catch let failure as ToolFailure {
            backend.log("tool call failed", [("tool", name), ("code", failure.code.rawValue), ("message", failure.message)])
            return ToolResult.failure(failure)
        } catch {
            backend.log("tool call failed", [("tool", name), ("code", APIErrorCode.internalError.rawValue), ("message", "\(error)")])
            return ToolResult.failure(ToolFailure(.internalError, "\(error)"))
        }
    }

    private func run(_ name: String, _ arguments: ToolArguments) async throws -> CallTool.Result {
        let engine = EngineTools(backend: backend), journal = JournalTools(backend: backend), leases = LeaseTools(backend: backend)
        let requests = RequestTools(backend: backend)
        switch name {
        case "list_resources":
            return try ToolResult.success(try await engine.listResources())
        case "status":
            return try ToolResult.success(try await engine.status())
        case "plan_preview":
            return try ToolResult.success(try await engine.planPreview(allowEmpty: try arguments.flag("allow_empty")))
        case "show_request":
            return try ToolResult.success(try await journal.showRequest(id: try arguments.string("id")))
        case "list_templates":
            return try ToolResult.success(try await requests.listTemplates())
        case "get_template":
            return try ToolResult.success(try await requests.getTemplate(try arguments.string("template_id")))
        case "request_machines":
            return try ToolResult.success(try await requests.requestMachines(
                template: try arguments.string("template_id"),
                count: try arguments.machineCount(), idempotencyKey: try arguments.optionalString("idempotency_key", maxLength: 200)))
        case "get_request_status":
            return try ToolResult.success(try await requests.requestStatus(try arguments.ids("request_ids", limit: ToolCatalog.requestIDs)))
        case "return_machines":
            return try ToolResult.success(try await requests.returnMachines(
                try arguments.ids("machine_ids", limit: MachineRequestInput.maxMachines)))
        case "list_partitions":
            return try ToolResult.success(try await QueueTools(backend: backend).listPartitions(
                scheduler: try arguments.optionalString("scheduler", maxLength: 63)))
        case "list_jobs":
            return try ToolResult.success(try await QueueTools(backend: backend).listJobs(
                scheduler: try arguments.optionalString("scheduler", maxLength: 63), all: try arguments.flag("all")))
        case "list_workflows":
            return try ToolResult.success(try await WorkflowTools(backend: backend).listWorkflows())
        case "list_workflow_runs":
            return try ToolResult.success(try await WorkflowTools(backend: backend).runs(
                workflow: try arguments.identifier("workflow"), limit: try arguments.limit()))
        case "start_workflow_run":
            return try ToolResult.success(try await WorkflowTools(backend: backend).start(
                workflow: try arguments.identifier("workflow"),
                idempotencyKey: try arguments.optionalString("idempotency_key", maxLength: 200)))
        case "get_workflow_run":
            return try ToolResult.success(try await WorkflowTools(backend: backend).get(
                runID: try arguments.identifier("run_id")))
        case "cancel_workflow_run":
            return try ToolResult.success(try await WorkflowTools(backend: backend).cancel(
                runID: try arguments.identifier("run_id")))
        case "create_task":
            return try ToolResult.success(try await TaskTools(backend: backend).create(
                pool: try arguments.string("pool"), key: try arguments.taskKey(), args: try arguments.taskArgs(),
                idempotencyKey: try arguments.optionalString("idempotency_key", maxLength: 200)))
        case "cancel_task":
            return try ToolResult.success(try await TaskTools(backend: backend).cancel(pool: try arguments.string("pool"),
                                                                                     key: try arguments.taskKey()))
        case "list_tasks":
            return try ToolResult.success(try await journal.listTasks(pool: try arguments.optionalString("pool")))
        case "requeue_tasks":
            return try ToolResult.success(try await journal.requeueTasks(
                pool: try arguments.string("pool"), keys: try arguments.optionalStrings("keys") ?? [],
                allDeadLetter: try arguments.flag("all_dead_letter")))
        case "claim_task":
            return try ToolResult.success(try await leases.claim(
                pool: try arguments.string("pool"), worker: try arguments.string("worker"),
                lease: try arguments.optionalInteger("lease_seconds", in: ToolCatalog.leaseSeconds),
                machine: try arguments.optionalString("machine")))
        case "complete_task":
            let result = try arguments.optionalJSON("result", limit: LeaseTools.resultLimit)
            return try ToolResult.success(try await leases.report(.complete(result: result), id: try arguments.string("id"),
                                                            token: try arguments.string("token")))
        case "fail_task":
            let report = LeaseTools.Report.fail(reason: try arguments.optionalString("reason"),
                                                retryAfter: try arguments.optionalInteger("retry_after_seconds", in: ToolCatalog.retryAfterSeconds))
            return try ToolResult.success(try await leases.report(report, id: try arguments.string("id"), token: try arguments.string("token")))
        case "heartbeat_task":
            let report = LeaseTools.Report.heartbeat(lease: try arguments.optionalInteger("lease_seconds", in: ToolCatalog.leaseSeconds))
            return try ToolResult.success(try await leases.report(report, id: try arguments.string("id"), token: try arguments.string("token")))
        case "release_task":
            return try ToolResult.success(try await leases.report(.release, id: try arguments.string("id"), token: try arguments.string("token")))
        default:
            throw ToolFailure(.internalError, "the tool \(name) is listed but not served")
        }
    }
}
