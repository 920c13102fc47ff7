public import OrbrecCore
public import OrbrecEngine
internal import OrbrecStore

/// A workflow run as `/api/v1/workflows/{name}/runs[/{id}]` and the MCP workflow tools show it:
/// its state, each step's state and times (milliseconds since the epoch), and, for one run,
/// what each step caused.
public struct WorkflowRunDocument: Encodable, Sendable {
    public struct Step: Encodable, Sendable {
        public var name: String
        public var state: String
        public var startedAt: Int64?
        public var endedAt: Int64?
        public var message: String
        /// What the step set going (one run's answer only).
        public var caused: Caused?

        enum CodingKeys: String, CodingKey {
            case name, state, message, caused
            case startedAt = "started_at"
            case endedAt = "ended_at"
        }
    }

    /// The requests a provision step's actions made, and the pool (with its tasks by state)
    /// that carries a task pool or run step's tasks.
    public struct Caused: Encodable, Sendable {
        public struct Request: Encodable, Sendable {
            public var requestId: String
            /// `provision` or `return`.
            public var requestType: String
            public var status: String

            enum CodingKeys: String, CodingKey {
                case status
                case requestId = "request_id"
                case requestType = "request_type"
            }
        }

        public struct Tasks: Encodable, Sendable {
            public var total: Int
            public var pending: Int
            public var running: Int
            public var retrying: Int
            public var completed: Int
            public var deadLetter: Int
            public var cancelled: Int

            enum CodingKeys: String, CodingKey {
                case total, pending, running, retrying, completed, cancelled
                case deadLetter = "dead_letter"
            }
        }

        public var requests: [Request]
        public var pool: String?
        public var tasks: Tasks?
    }

    public var runId: String
    public var workflow: String
    public var state: String
    /// `manual`, `change` or `schedule`.
    public var trigger: String
    /// Why it started (one run's answer only).
    public var reason: String?
    public var scheduledFor: Int64?
    public var specHash: String
    public var createdAt: Int64
    public var endedAt: Int64?
    public var steps: [Step]
    /// On a start: false when the Idempotency-Key had started this run before.
    public var created: Bool?
    /// On a start: the runs `concurrency: replace` cancelled for this one.
    public var replaced: [String]?

    enum CodingKeys: String, CodingKey {
        case workflow, state, trigger, reason, steps, created, replaced
        case runId = "run_id"
        case scheduledFor = "scheduled_for"
        case specHash = "spec_hash"
        case createdAt = "created_at"
        case endedAt = "ended_at"
    }

    /// A run as listed: its steps' states and times.
    public init(_ run: WorkflowRun) {
        runId = run.id
        workflow = run.workflow
        state = run.state.rawValue
        trigger = run.trigger.rawValue
        scheduledFor = run.scheduledFor?.millisecondsSinceEpoch
        specHash = run.specHash
        createdAt = run.createdAt.millisecondsSinceEpoch
        endedAt = run.endedAt?.millisecondsSinceEpoch
        steps = run.steps.map {
            Step(name: $0.name, state: $0.state.rawValue, startedAt: $0.startedAt?.millisecondsSinceEpoch,
                 endedAt: $0.endedAt?.millisecondsSinceEpoch, message: $0.message)
        }
    }

    /// One run with why it started and what each step caused.
    public init(_ report: WorkflowRunReport) {
        self.init(report.run)
        reason = report.reason
        for (index, step) in report.steps.enumerated() where index < steps.count {
            let tasks = step.tasks
            steps[index].caused = Caused(
                requests: step.requests.map { Caused.Request(requestId: $0.id, requestType: $0.kind.rawValue, status: $0.status.rawValue) },
                pool: step.pool,
                tasks: step.pool == nil ? nil : Caused.Tasks(
                    total: tasks.values.reduce(0, +), pending: tasks[.pending] ?? 0, running: tasks[.running] ?? 0,
                    retrying: tasks[.retrying] ?? 0, completed: tasks[.completed] ?? 0, deadLetter: tasks[.deadLetter] ?? 0,
                    cancelled: tasks[.cancelled] ?? 0))
        }
    }

    /// A run just started.
    public init(_ start: WorkflowRunStart) {
        self.init(start.run)
        created = start.created
        replaced = start.replaced
    }
}
