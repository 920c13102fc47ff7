/// One partition (a queue) of a scheduler, as the cluster reports it now: `orbrec get
/// partitions`, the plan's check of the partitions pools name, and `status`'s free slots.
public struct QueuePartition: Hashable, Sendable, Codable {
    /// Whether the partition takes and starts jobs (Slurm's `up`, `down`, `drain`, `inactive`).
    public enum State: String, Hashable, Sendable, Codable, CaseIterable {
        /// Takes jobs and starts them.
        case up
        /// Takes jobs but starts none.
        case down
        /// Takes no new jobs; those it has run.
        case drain
        /// Neither takes nor starts jobs.
        case inactive
        case unknown
    }

    /// Its nodes by state. A node in several partitions is counted in each.
    public struct Nodes: Hashable, Sendable, Codable {
        public var idle: Int
        /// Every CPU busy.
        public var allocated: Int
        /// Some CPUs busy, some free.
        public var mixed: Int
        /// Down, failed or not responding.
        public var down: Int
        /// Drained or draining: no new jobs.
        public var drained: Int
        /// Reserved, in maintenance, powering up, or a state this version does not know.
        public var other: Int

        public init(idle: Int = 0, allocated: Int = 0, mixed: Int = 0, down: Int = 0, drained: Int = 0, other: Int = 0) {
            self.idle = idle
            self.allocated = allocated
            self.mixed = mixed
            self.down = down
            self.drained = drained
            self.other = other
        }

        public var total: Int { QueueCount.sum([idle, allocated, mixed, down, drained, other]) }
    }

    /// CPUs (or a local scheduler's slots) by use.
    public struct CPUs: Hashable, Sendable, Codable {
        public var allocated: Int
        public var idle: Int
        /// On nodes that are down, drained or otherwise unusable.
        public var other: Int
        public var total: Int

        public init(allocated: Int = 0, idle: Int = 0, other: Int = 0, total: Int = 0) {
            self.allocated = allocated
            self.idle = idle
            self.other = other
            self.total = total
        }
    }

    public var name: String
    public var state: State
    /// Where jobs that name no partition go.
    public var isDefault: Bool
    public var nodes: Nodes
    public var cpus: CPUs
    /// Memory of its smallest node, in MB; nil when not reported.
    public var memoryMB: Int?
    /// Its nodes do not all have `memoryMB` (Slurm's `1000+`).
    public var memoryVaries: Bool
    /// The longest a job may run.
    public var timeLimit: QueueTimeLimit

    public init(name: String, state: State, isDefault: Bool = false, nodes: Nodes = Nodes(), cpus: CPUs = CPUs(),
                memoryMB: Int? = nil, memoryVaries: Bool = false, timeLimit: QueueTimeLimit = .unlimited) {
        self.name = name
        self.state = state
        self.isDefault = isDefault
        self.nodes = nodes
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.memoryVaries = memoryVaries
        self.timeLimit = timeLimit
    }
}

/// Sums of counts a cluster reports, which stop at `Int.max` rather than trap.
public enum QueueCount {
    public static func sum(_ values: [Int]) -> Int {
        values.reduce(0) { total, value in
            let (sum, overflow) = total.addingReportingOverflow(value)
            return overflow ? Int.max : sum
        }
    }
}
