internal import MCP
internal import OrbrecAPI

/// Every tool `orbrec mcp` offers: its name, what it does, its input schema and its hints.
enum ToolCatalog {
    static let leaseSeconds: ClosedRange<Int64> = 1...3600
    static let retryAfterSeconds: ClosedRange<Int64> = 0...86_400

    static let taskID = JSONSchema.string("The task's id, POOL:KEY, as claim_task returned it (e.g. jobs:7).")
    static let token = JSONSchema.string("The fencing token claim_task returned; a token that no longer holds the attempt is refused (stale_attempt).")

    static let requestIDs = 1000

    static let tools: [Tool] = [
        Tool(name: "list_resources", title: "List resources",
             description: "Every resource the configuration declares (kind, name, where it is written, labels, spec hash) with its status row: "
                + "desired, observed, sync and health. Asks the providers and schedulers; writes nothing.",
             inputSchema: JSONSchema.object(), annotations: .init(readOnlyHint: true, openWorldHint: true)),
        Tool(name: "status", title: "Status",
             description: "What `orbrec status --json` prints: one row per resource (desired, observed, sync, health, message), "
                + "the problems that stop a plan, and whether everything has converged. Writes nothing.",
             inputSchema: JSONSchema.object(), annotations: .init(readOnlyHint: true, openWorldHint: true)),
        Tool(name: "plan_preview", title: "Preview the plan",
             description: "What `orbrec plan --json` prints: the actions an apply would carry out now and why, drift, warnings and "
                + "the policy report. Read-only: the providers are asked, but no state lock is taken, nothing is journaled, and "
                + "no state is created.",
             inputSchema: JSONSchema.object([
                "allow_empty": JSONSchema.boolean("Plan a configuration with no resources as removing everything (default false)."),
             ]), annotations: .init(readOnlyHint: true, openWorldHint: true)),
        Tool(name: "show_request", title: "Show a request",
             description: "One machine request (req-…) or return request (ret-…) with its machines, as `orbrec requests show ID -o json`.",
             inputSchema: JSONSchema.object(["id": JSONSchema.string("The request id, req-… or ret-….")], required: ["id"]),
             annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "list_templates", title: "List templates",
             description: "The templates machines can be requested of, as the Open Resource Broker lists them: template_id, provider, "
                + "provider_type, max_number (maxMachines), available (what maxMachines still leaves), in_use, and attributes "
                + "(ncpus, mem in MiB, type). Writes nothing.",
             inputSchema: JSONSchema.object(), annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "get_template", title: "Get a template",
             description: "One template, as list_templates shows it; unknown-template when the configuration has none by that name.",
             inputSchema: JSONSchema.object(["template_id": JSONSchema.string("The template's name.")], required: ["template_id"]),
             annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "request_machines", title: "Request machines",
             description: "Asks for `count` machines of a template, as the Open Resource Broker's request_machines: the request "
                + "(req-…) is journaled before the answer and held like a fleet until its machines are returned. Follow it with "
                + "get_request_status. Refused, with nothing journaled, as unknown-template, invalid-count, over-limit (maxMachines) "
                + "or policy-denied.",
             inputSchema: JSONSchema.object([
                "template_id": JSONSchema.string("The template's name."),
                "count": JSONSchema.integer("How many machines.", 1...Int64(MachineRequestInput.maxCount)),
                "idempotency_key": JSONSchema.string("A key that makes a retry answer the request it made instead of asking again."),
             ], required: ["template_id", "count"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true)),
        Tool(name: "get_request_status", title: "Request status",
             description: "Machine requests (req-…) and return requests (ret-…) with their status (pending, in_progress, complete, "
                + "partial, failed) and each machine's status, result (executing, succeed, fail), addresses and launch_time, as "
                + "`orbrec requests status -o json`: {\"requests\": [...]}. Without a daemon, asking also moves the requests on, "
                + "as that command does.",
             inputSchema: JSONSchema.object(["request_ids": JSONSchema.strings("Request ids.")], required: ["request_ids"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true)),
        Tool(name: "return_machines", title: "Return machines",
             description: "Returns machines, as the Open Resource Broker's return_machines: a return request (ret-…) is journaled, "
                + "then the machines are given back. A machine of a machine request leaves it (nothing replaces it); a machine of a "
                + "configured fleet is replaced unless its count drops. Refused as unknown-machine, already-returning or policy-denied.",
             inputSchema: JSONSchema.object(["machine_ids": JSONSchema.strings("The machines' ids.")], required: ["machine_ids"]),
             annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true)),
        Tool(name: "list_partitions", title: "List partitions",
             description: "The partitions (queues) of each scheduler, or of one, as it reports them now (sinfo on a Slurm cluster, "
                + "here or over SSH; a local scheduler is one partition local with its slots): state (up, down, drain, inactive), "
                + "default, nodes idle/allocated/mixed/down/drained/other, cpus allocated/idle/other/total, memory_mb, time_limit. "
                + "Schedulers that could not be asked are in unreachable. Refused as unknown-scheduler. Writes nothing.",
             inputSchema: JSONSchema.object(["scheduler": JSONSchema.string("Only this scheduler.")]),
             annotations: .init(readOnlyHint: true, openWorldHint: true)),
        Tool(name: "list_jobs", title: "List jobs",
             description: "The jobs the schedulers hold now (pending, running, finishing) that this state submitted, each with its "
                + "pool, key and attempt when orbrec can tell, its state, time used and limit, and why it waits (reason); with all, "
                + "also the user's other jobs (mine: false). Refused as unknown-scheduler or no-state. Writes nothing.",
             inputSchema: JSONSchema.object(["scheduler": JSONSchema.string("Only this scheduler."),
                                             "all": JSONSchema.boolean("Also the user's jobs this state did not submit.")]),
             annotations: .init(readOnlyHint: true, openWorldHint: true)),
        Tool(name: "list_workflows", title: "List workflows",
             description: "The configuration's workflows: steps in order, trigger (on_change, schedule, next_scheduled_at), "
                + "concurrency, state (running or idle), running_runs and last_run. Writes nothing.",
             inputSchema: JSONSchema.object(), annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "list_workflow_runs", title: "List a workflow's runs",
             description: "A workflow's runs, newest first, as `orbrec workflows runs NAME -o json` and GET "
                + "/api/v1/workflows/{name}/runs, in an object: {\"runs\": [...]}, each with its run_id, state, trigger, "
                + "scheduled_for, spec_hash, created_at and ended_at (milliseconds since the epoch) and its steps' states and times "
                + "(get_workflow_run adds why it started and what each step caused). A workflow gone from the configuration still "
                + "has its runs. Refused as unknown-workflow. Writes nothing.",
             inputSchema: JSONSchema.object([
                "workflow": JSONSchema.string("The workflow's name."),
                "limit": ["type": "integer", "minimum": 1, "description": "At most this many runs, the newest."],
             ], required: ["workflow"]),
             annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "start_workflow_run", title: "Start a workflow run",
             description: "Starts a run of a workflow now, as `orbrec workflows start` and POST /api/v1/workflows/{name}/runs: the run "
                + "(wr-…) is journaled and answered at once with its steps pending and next_actions; the daemon (or the next apply) "
                + "carries it out. The workflow's concurrency applies: forbid refuses with run-in-progress naming the running run, "
                + "replace cancels it, allow runs beside it. Refused as unknown-workflow.",
             inputSchema: JSONSchema.object([
                "workflow": JSONSchema.string("The workflow's name."),
                "idempotency_key": JSONSchema.string("A key that makes a retry answer the run it started instead of starting another."),
             ], required: ["workflow"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true)),
        Tool(name: "get_workflow_run", title: "Get a workflow run",
             description: "One run: its state, why it started, and each step's state, started_at and ended_at (milliseconds since "
                + "the epoch), message, and what it caused (the requests a provision step made, the pool of a task step with its "
                + "tasks by state), with next_actions. unknown-run when there is none.",
             inputSchema: JSONSchema.object(["run_id": JSONSchema.string("The run's id, wr-….")], required: ["run_id"]),
             annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "cancel_workflow_run", title: "Cancel a workflow run",
             description: "Cancels a running run: its pending and running steps are cancelled, their tasks cancelled and what its "
                + "provision steps set given back (by the daemon at once, or the next apply). Refused as unknown-run or run-finished.",
             inputSchema: JSONSchema.object(["run_id": JSONSchema.string("The run's id, wr-….")], required: ["run_id"]),
             annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true)),
        Tool(name: "create_task", title: "Create a task",
             description: "Posts a task to a pool whose tasks come from the API (source: api), as POST /api/v1/pools/{pool}/tasks: "
                + "journaled before the answer, then run on the pool's scheduler (or offered to its pull workers) with its retries. "
                + "The key names the task: the same key with the same args answers the task posted before and runs nothing more; "
                + "with other args it is refused (task-exists). args reach the command as ${args.NAME}, each one argv element as "
                + "given (never through a shell). Refused as unknown-pool, not-an-api-pool, invalid-key or invalid-args.",
             inputSchema: JSONSchema.object([
                "pool": JSONSchema.string("The api pool."),
                "key": JSONSchema.string("The task's key: its identity in the pool (at most 255 bytes as a file name, one line)."),
                "args": ["type": "object", "additionalProperties": ["type": "string"],
                         "description": "The task's arguments, NAME to string; the command reads them as ${args.NAME}."],
                "idempotency_key": JSONSchema.string("A key that makes a retry answer the task it created."),
             ], required: ["pool", "key"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true)),
        Tool(name: "cancel_task", title: "Cancel a task",
             description: "Cancels a task of an api pool, as DELETE /api/v1/pools/{pool}/tasks/{key}: journaled, then carried out by "
                + "the next pass (a running attempt is stopped); a finished task is answered as it is. Refused as unknown-pool, "
                + "not-an-api-pool or unknown-task.",
             inputSchema: JSONSchema.object([
                "pool": JSONSchema.string("The api pool."),
                "key": JSONSchema.string("The task's key."),
             ], required: ["pool", "key"]),
             annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true)),
        Tool(name: "list_tasks", title: "List tasks",
             description: "Tasks as the journal knows them, with every attempt (as `orbrec get tasks -o json`), and for a pull pool's "
                + "task the lease of its newest attempt.",
             inputSchema: JSONSchema.object(["pool": JSONSchema.string("Only this pool's tasks.")]),
             annotations: .init(readOnlyHint: true, openWorldHint: false)),
        Tool(name: "requeue_tasks", title: "Requeue tasks",
             description: "Moves dead-lettered (or cancelled) tasks of a pool back to pending, as `orbrec tasks requeue`: the next "
                + "apply or daemon pass runs them again. Takes the state lock; journaled.",
             inputSchema: JSONSchema.object([
                "pool": JSONSchema.string("The pool."),
                "keys": JSONSchema.strings("Task keys to requeue."),
                "all_dead_letter": JSONSchema.boolean("Requeue every dead-lettered task of the pool."),
             ], required: ["pool"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)),
        Tool(name: "claim_task", title: "Claim a task",
             description: "For workers of a pull pool (mode: pull): leases the oldest offered task to `worker` and returns it with "
                + "its command, a fencing token, the lease's end and next_actions. `task` is null when nothing is offered now.",
             inputSchema: JSONSchema.object([
                "pool": JSONSchema.string("The pull pool."),
                "worker": JSONSchema.string("Who claims: a stable name for this worker."),
                "lease_seconds": JSONSchema.integer("How long the lease holds without a heartbeat (default 30).", leaseSeconds),
                "machine": JSONSchema.string("The orbrec machine the worker runs on, if any: its leases are revoked when the machine is returned or lost."),
             ], required: ["pool", "worker"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
        Tool(name: "complete_task", title: "Complete a task",
             description: "Reports the claimed attempt succeeded, with an optional JSON result, while its lease holds.",
             inputSchema: JSONSchema.object([
                "id": taskID, "token": token,
                "result": JSONSchema.any("Any JSON value to keep with the attempt (at most 256 KiB)."),
             ], required: ["id", "token"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
        Tool(name: "fail_task", title: "Fail a task",
             description: "Reports the claimed attempt failed; the pool's retry policy decides whether and when it is offered again.",
             inputSchema: JSONSchema.object([
                "id": taskID, "token": token,
                "reason": JSONSchema.string("Why it failed."),
                "retry_after_seconds": JSONSchema.integer("Offer the next attempt no sooner than this (overrides the backoff).", retryAfterSeconds),
             ], required: ["id", "token"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
        Tool(name: "heartbeat_task", title: "Extend a lease",
             description: "Extends the claimed attempt's lease (by its own length, or lease_seconds) while the work goes on.",
             inputSchema: JSONSchema.object([
                "id": taskID, "token": token,
                "lease_seconds": JSONSchema.integer("The new lease length from now.", leaseSeconds),
             ], required: ["id", "token"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false)),
        Tool(name: "release_task", title: "Release a task",
             description: "Gives the claimed attempt back unfinished: no attempt is used, and the task is offered again at once.",
             inputSchema: JSONSchema.object(["id": taskID, "token": token], required: ["id", "token"]),
             annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)),
    ]

    /// The arguments each tool accepts (its schema's properties).
    static func arguments(of name: String) -> Set<String>? {
        guard let tool = tools.first(where: { $0.name == name }) else { return nil }
        return Set(tool.inputSchema.objectValue?["properties"]?.objectValue?.keys.map { $0 } ?? [])
    }
}
