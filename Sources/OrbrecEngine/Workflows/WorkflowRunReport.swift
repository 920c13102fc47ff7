public import OrbrecCore
public import OrbrecStore

/// One run as its readers want it: its record, why it started, and what each step caused.
public struct WorkflowRunReport: Sendable, Hashable {
    /// A step with the work it set going.
    public struct Step: Sendable, Hashable {
        public var step: WorkflowRun.Step
        /// The requests a provision step's actions made (`req-…`, `ret-…`), oldest first.
        public var requests: [RequestRecord]
        /// The pool that carries the step's tasks (`<run>-<step>`), once it has any.
        public var pool: String?
        /// How many of those tasks are in each state.
        public var tasks: [TaskState: Int]

        public init(step: WorkflowRun.Step, requests: [RequestRecord] = [], pool: String? = nil, tasks: [TaskState: Int] = [:]) {
            self.step = step
            self.requests = requests
            self.pool = pool
            self.tasks = tasks
        }
    }

    public var run: WorkflowRun
    /// Why it started (`started by api@127.0.0.1`, the schedule's moment, a new generation).
    public var reason: String
    public var steps: [Step]

    public init(run: WorkflowRun, reason: String, steps: [Step]) {
        self.run = run
        self.reason = reason
        self.steps = steps
    }
}
