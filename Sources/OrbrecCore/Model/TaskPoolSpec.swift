/// `kind: TaskPool`: tasks that must end completed, with the rules for getting there.
public struct TaskPoolSpec: Hashable, Sendable, Codable {
    /// Where the tasks come from; each gives every task a stable key.
    public enum Source: Hashable, Sendable, Codable {
        case items([String])
        case range(from: Int, to: Int)
        /// Dimensions in the order written; keys read `mesh=fine,seed=2`.
        case matrix([Dimension])
        /// `source: api`: the file lists no task; programs post them to the API, which journals
        /// them. Decoded empty; the engine fills in the journal's (`DesiredState.applying(apiTasks:)`),
        /// in the order they were posted.
        case api([TaskDefinition])
    }

    public struct Dimension: Hashable, Sendable, Codable {
        public var name: String
        public var values: [String]

        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public struct Resources: Hashable, Sendable, Codable {
        public var cpus: Int?
        public var memoryMB: Int?
        public var walltime: ConfigDuration?
        public var partition: String?
        public var gpus: Int?
        /// Where `partition` is written, for the plan's check of it (never hashed).
        public var partitionLocation: SourceLocation?

        public init(cpus: Int? = nil, memoryMB: Int? = nil, walltime: ConfigDuration? = nil, partition: String? = nil, gpus: Int? = nil,
                    partitionLocation: SourceLocation? = nil) {
            self.partitionLocation = partitionLocation
            self.cpus = cpus
            self.memoryMB = memoryMB
            self.walltime = walltime
            self.partition = partition
            self.gpus = gpus
        }
    }

    /// How attempts reach their workers: submitted to a scheduler (`push`), or claimed by
    /// workers over the daemon's API with leases (`pull`).
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case push
        case pull
    }

    /// The scheduler every pull pool uses: orbrec's own lease table. Not a name a user can
    /// write (`@` is not allowed in names), so it never collides with a declared scheduler.
    public static let pullScheduler = "@leases"

    public var metadata: Metadata
    public var mode: Mode
    /// The scheduler's name; `pullScheduler` for a pull pool.
    public var scheduler: String
    public var command: [CommandTemplate]
    public var source: Source
    public var env: [String: String]
    public var workdir: String?
    public var resources: Resources
    /// At most this many attempts of the pool run at once; nil means the scheduler's slots.
    public var parallelism: Int?
    public var retry: RetryPolicy
    /// The pool must be finished this long after its first submission; then what is left is cancelled.
    public var deadline: ConfigDuration?

    public init(metadata: Metadata, scheduler: String, command: [CommandTemplate], source: Source, env: [String: String] = [:],
                workdir: String? = nil, resources: Resources = Resources(), parallelism: Int? = nil,
                retry: RetryPolicy = .default, deadline: ConfigDuration? = nil, mode: Mode = .push) {
        self.mode = mode
        self.metadata = metadata
        self.scheduler = scheduler
        self.command = command
        self.source = source
        self.env = env
        self.workdir = workdir
        self.resources = resources
        self.parallelism = parallelism
        self.retry = retry
        self.deadline = deadline
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.taskPool, name) }

    /// The variables a command may use: the built-ins and each matrix dimension.
    public static let builtinVariables = ["item", "index", "attempt", "pool"]

    /// The variables a command may use: the built-ins, each matrix dimension, and for an api
    /// pool `key` (`args.NAME` too, checked by `APITaskRules.isArgVariable`).
    public var allowedVariables: [String] {
        var names = Self.builtinVariables
        if case .matrix(let dimensions) = source { names += dimensions.map(\.name) }
        if isAPI { names.append("key") }
        return names
    }

    /// Every task of the pool, in order, with a stable key.
    public var tasks: [TaskDefinition] { source.taskDefinitions }

    /// The argv of one attempt of `task`.
    public func argv(for task: TaskDefinition, attempt: Int) -> [String] {
        var values = task.variables
        values["index"] = String(task.index)
        values["attempt"] = String(attempt)
        values["pool"] = name
        return command.map { $0.render(values) }
    }

    /// Everything that changes what the pool runs or how: its tasks, command, environment,
    /// resources, retries, parallelism, deadline, and its labels and annotations. An api pool's
    /// tasks are not in it: they come from the journal, not from the file, and a task posted is
    /// not a new generation of the pool.
    public var specHash: String { CanonicalHash.of(self, excluding: isAPI ? ["source.api._0"] : []) }
}

/// One task of a pool: its key, its position and its template variables.
public struct TaskDefinition: Hashable, Sendable, Codable {
    public var key: String
    public var index: Int
    public var variables: [String: String]

    public init(key: String, index: Int, variables: [String: String]) {
        self.key = key
        self.index = index
        self.variables = variables
    }
}

extension TaskPoolSpec.Source {
    /// Every task the source makes, in order. Matrix keys are `name=value` pairs joined by
    /// `,`; the loader refuses a matrix whose keys collide. Made once per source: a pass asks
    /// for a pool's tasks several times, and a range of 10,000 is 10,000 definitions each time.
    public var taskDefinitions: [TaskDefinition] {
        // An api pool's tasks are made once, by the engine: nothing to expand (or to memo).
        if case .api(let tasks) = self { return tasks }
        return TaskDefinitionMemo.shared.definitions(of: self)
    }

    var expandedDefinitions: [TaskDefinition] {
        switch self {
        case .items(let items):
            return items.enumerated().map { TaskDefinition(key: $1, index: $0, variables: ["item": $1]) }
        case .range(let from, let to):
            return (from <= to ? Array(from...to) : []).enumerated().map {
                TaskDefinition(key: String($1), index: $0, variables: ["item": String($1)])
            }
        case .matrix(let dimensions):
            var combinations: [[(String, String)]] = [[]]
            for dimension in dimensions {
                combinations = combinations.flatMap { prefix in dimension.values.map { prefix + [(dimension.name, $0)] } }
            }
            return combinations.enumerated().map { index, pairs in
                let key = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
                var variables = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
                variables["item"] = key
                return TaskDefinition(key: key, index: index, variables: variables)
            }
        case .api(let tasks):
            return tasks
        }
    }
}
