/// `kind: Workflow`: a DAG of steps that provisions capacity, runs work on it and
/// releases it, each run recorded so that it resumes where it stopped.
public struct WorkflowSpec: Hashable, Sendable, Codable {
    public enum Concurrency: String, Hashable, Sendable, Codable, CaseIterable {
        /// A new run is not started while one is active.
        case forbid
        /// The active run is cancelled and a new one started.
        case replace
        /// Runs overlap.
        case allow
    }

    public struct Trigger: Hashable, Sendable, Codable {
        /// One run per new generation of the workflow's spec.
        public var onChange: Bool
        /// A run each time the schedule comes due (UTC).
        public var schedule: CronSchedule?

        public init(onChange: Bool = false, schedule: CronSchedule? = nil) {
            self.onChange = onChange
            self.schedule = schedule
        }
    }

    public struct Step: Hashable, Sendable, Codable {
        public enum Work: Hashable, Sendable, Codable {
            /// Sets the fleet's count for the run; with `waitReady`, the step ends when that many machines are running.
            case provision(fleet: String, count: Int, waitReady: Bool)
            /// Runs a pool declared elsewhere, as tasks of this run.
            case taskPool(ref: String)
            /// Runs a pool declared inside the step.
            case inlinePool(TaskPoolSpec)
            /// Runs one command as a job on a scheduler.
            case run(scheduler: String, command: [CommandTemplate], resources: TaskPoolSpec.Resources)
        }

        public var name: String
        public var needs: [String]
        public var work: Work
        /// Runs even when a step it needs failed: cleanup.
        public var always: Bool
        public var retry: RetryPolicy?
        public var timeout: ConfigDuration?
        /// Where the step is written, for diagnostics.
        public var location: SourceLocation?

        public init(name: String, needs: [String] = [], work: Work, always: Bool = false, retry: RetryPolicy? = nil,
                    timeout: ConfigDuration? = nil, location: SourceLocation? = nil) {
            self.name = name
            self.needs = needs
            self.work = work
            self.always = always
            self.retry = retry
            self.timeout = timeout
            self.location = location
        }

        /// What the step does, in a few words (graphs, plans).
        public var summary: String {
            switch work {
            case .provision(let fleet, let count, let waitReady): "provision \(fleet) to \(count)\(waitReady ? ", wait ready" : "")"
            case .taskPool(let ref): "pool \(ref)"
            case .inlinePool(let pool): "pool (\(pool.tasks.count) task(s)) on \(pool.scheduler)"
            case .run(let scheduler, let command, _): "run on \(scheduler): \(command.map(\.source).joined(separator: " "))"
            }
        }
    }

    public var metadata: Metadata
    public var steps: [Step]
    public var trigger: Trigger
    public var concurrency: Concurrency

    public init(metadata: Metadata, steps: [Step], trigger: Trigger = Trigger(), concurrency: Concurrency = .forbid) {
        self.metadata = metadata
        self.steps = steps
        self.trigger = trigger
        self.concurrency = concurrency
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.workflow, metadata.name) }

    /// Everything its runs are made from: steps, triggers, concurrency. Labels and
    /// annotations are left out: a run per generation (`trigger.onChange`) must not start
    /// because a label changed.
    public var specHash: String {
        CanonicalHash.of(self, excluding: ["metadata.labels", "metadata.annotations"])
    }
}
