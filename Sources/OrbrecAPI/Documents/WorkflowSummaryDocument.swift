public import OrbrecCore
public import OrbrecEngine

/// A workflow as `GET /api/v1/workflows[/{name}]` and MCP's `list_workflows` show it: the fields
/// of `orbrec workflows list -o json` (steps in order, trigger, concurrency, next scheduled
/// moment) with how its runs stand: `state` is `running` while a run runs, else `idle`.
public struct WorkflowSummaryDocument: Encodable, Sendable {
    /// A step as declared (`GET /api/v1/workflows/{name}` only).
    public struct StepDetail: Encodable, Sendable {
        public var name: String
        public var needs: [String]
        public var always: Bool
        /// What it does, in a few words (`provision workers to 2, wait ready`).
        public var summary: String
    }

    /// The newest run, in brief.
    public struct LastRun: Encodable, Sendable {
        public var runId: String
        public var state: String
        public var trigger: String
        public var createdAt: Int64
        public var endedAt: Int64?

        enum CodingKeys: String, CodingKey {
            case state, trigger
            case runId = "run_id"
            case createdAt = "created_at"
            case endedAt = "ended_at"
        }
    }

    public var name: String
    public var steps: [String]
    public var onChange: Bool
    public var schedule: String?
    public var concurrency: String
    public var nextScheduledAt: Int64?
    public var state: String
    public var runningRuns: [String]
    public var lastRun: LastRun?
    public var stepDetails: [StepDetail]?

    enum CodingKeys: String, CodingKey {
        case name, steps, schedule, concurrency, state
        case onChange = "on_change"
        case nextScheduledAt = "next_scheduled_at"
        case runningRuns = "running_runs"
        case lastRun = "last_run"
        case stepDetails = "step_details"
    }

    public init(_ summary: WorkflowSummary, detailed: Bool = false) {
        let spec = summary.spec
        name = spec.name
        steps = WorkflowGraph(spec.steps).order ?? spec.steps.map(\.name)
        onChange = spec.trigger.onChange
        schedule = spec.trigger.schedule?.expression
        concurrency = spec.concurrency.rawValue
        nextScheduledAt = summary.nextScheduledAt?.millisecondsSinceEpoch
        state = summary.running.isEmpty ? "idle" : "running"
        runningRuns = summary.running
        lastRun = summary.lastRun.map {
            LastRun(runId: $0.id, state: $0.state.rawValue, trigger: $0.trigger.rawValue, createdAt: $0.createdAt.millisecondsSinceEpoch,
                    endedAt: $0.endedAt?.millisecondsSinceEpoch)
        }
        if detailed {
            stepDetails = spec.steps.map { StepDetail(name: $0.name, needs: $0.needs, always: $0.always, summary: $0.summary) }
        }
    }
}
