internal import OrbrecCore

/// The scope each tool needs when called over the daemon's `/mcp` with a scoped token (over
/// stdio, `orbrec mcp` runs as its user and checks none). A tool missing here is refused to
/// every token over HTTP (`unscoped-tool`): a new tool must be given its scope here.
enum ToolScopes {
    static let table: [String: ScopeRequirement] = Dictionary(tools, uniquingKeysWith: { first, _ in first })

    /// A list, so that a tool given twice (two edits merged) cannot stop the daemon at start.
    static let tools: [(String, ScopeRequirement)] = [
        ("list_resources", .read),
        ("status", .read),
        ("plan_preview", .read),
        ("show_request", .read),
        ("list_templates", .read),
        ("get_template", .read),
        // Over the daemon it only reads: the daemon's loop moves requests on.
        ("get_request_status", .read),
        ("list_tasks", ScopeRequirement(.read, or: [.worker])),
        ("request_machines", .operate),
        ("return_machines", .operate),
        ("requeue_tasks", .operate),
        ("list_workflows", .read),
        ("list_workflow_runs", .read),
        ("get_workflow_run", .read),
        ("start_workflow_run", .operate),
        ("cancel_workflow_run", .operate),
        ("list_partitions", .read),
        ("list_jobs", .read),
        ("create_task", .operate),
        ("cancel_task", .operate),
        ("claim_task", .worker),
        ("heartbeat_task", .worker),
        ("complete_task", .worker),
        ("fail_task", .worker),
        ("release_task", .worker),
    ]
}
