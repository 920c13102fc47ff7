/// One run of a workflow as the journal keeps it: which generation of the spec, why it
/// started, and each step's state. Everything the run does follows from these records
/// and the configuration, so a restarted orbrec resumes it where it stopped.
public struct WorkflowRun: Hashable, Sendable, Codable {
    public enum State: String, Hashable, Sendable, Codable {
        case running, succeeded, failed, cancelled

        public var isFinished: Bool { self != .running }
    }

    public enum Trigger: String, Hashable, Sendable, Codable {
        /// `orbrec workflows start`.
        case manual
        /// A new generation of the workflow's spec (`trigger.onChange`).
        case change
        /// The cron schedule came due (`trigger.schedule`).
        case schedule
    }

    public struct Step: Hashable, Sendable, Codable {
        public enum State: String, Hashable, Sendable, Codable {
            case pending, running, succeeded, failed, skipped, cancelled

            public var isFinished: Bool { self != .pending && self != .running }
        }

        public var name: String
        public var state: State
        public var startedAt: Instant?
        public var endedAt: Instant?
        public var message: String

        public init(name: String, state: State = .pending, startedAt: Instant? = nil, endedAt: Instant? = nil, message: String = "") {
            self.name = name
            self.state = state
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.message = message
        }
    }

    public var id: String
    public var workflow: String
    /// The spec the run was started from (its generation's hash).
    public var specHash: String
    public var trigger: Trigger
    /// For a scheduled run, the schedule's moment it stands for.
    public var scheduledFor: Instant?
    public var state: State
    public var createdAt: Instant
    public var endedAt: Instant?
    public var steps: [Step]

    public init(id: String, workflow: String, specHash: String, trigger: Trigger, scheduledFor: Instant? = nil, state: State = .running,
                createdAt: Instant, endedAt: Instant? = nil, steps: [Step]) {
        self.id = id
        self.workflow = workflow
        self.specHash = specHash
        self.trigger = trigger
        self.scheduledFor = scheduledFor
        self.state = state
        self.createdAt = createdAt
        self.endedAt = endedAt
        self.steps = steps
    }

    public func step(_ name: String) -> Step? { steps.first { $0.name == name } }

    /// The name of the pool that carries a step's tasks in this run: unique per run and
    /// step, so a second run never finds the first one's tasks completed.
    public func poolName(of step: String) -> String { "\(id)-\(step)" }
}
