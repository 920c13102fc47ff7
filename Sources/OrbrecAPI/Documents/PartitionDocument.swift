public import OrbrecCore

/// A scheduler's partition as `get partitions -o json`, `GET /api/v1/schedulers/{name}/partitions`
/// and the MCP tool `list_partitions` show it.
public struct PartitionDocument: Encodable, Sendable {
    public struct Nodes: Encodable, Sendable {
        public var idle, allocated, mixed, down, drained, other, total: Int
    }

    public struct CPUs: Encodable, Sendable {
        public var allocated, idle, other, total: Int
    }

    public var scheduler: String
    public var name: String
    /// `up`, `down`, `drain`, `inactive` or `unknown`.
    public var state: String
    public var isDefault: Bool
    public var nodes: Nodes
    public var cpus: CPUs
    /// Of its smallest node; with `memory_varies`, some nodes have more.
    public var memoryMb: Int?
    public var memoryVaries: Bool
    /// `unlimited`, or Slurm's `D-HH:MM:SS`; anything else as the cluster printed it.
    public var timeLimit: String
    /// nil when unlimited or not understood.
    public var timeLimitSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case scheduler, name, state, nodes, cpus
        case isDefault = "default"
        case memoryMb = "memory_mb"
        case memoryVaries = "memory_varies"
        case timeLimit = "time_limit"
        case timeLimitSeconds = "time_limit_seconds"
    }

    public init(scheduler: String, _ partition: QueuePartition) {
        self.scheduler = scheduler
        name = partition.name
        state = partition.state.rawValue
        isDefault = partition.isDefault
        let nodes = partition.nodes
        self.nodes = Nodes(idle: nodes.idle, allocated: nodes.allocated, mixed: nodes.mixed, down: nodes.down, drained: nodes.drained,
                           other: nodes.other, total: nodes.total)
        cpus = CPUs(allocated: partition.cpus.allocated, idle: partition.cpus.idle, other: partition.cpus.other, total: partition.cpus.total)
        memoryMb = partition.memoryMB
        memoryVaries = partition.memoryVaries
        timeLimit = partition.timeLimit.text
        timeLimitSeconds = partition.timeLimit.seconds
    }
}
