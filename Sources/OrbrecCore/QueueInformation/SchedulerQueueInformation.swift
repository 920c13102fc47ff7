/// What a scheduler can tell about its queues beyond the attempts it runs: its partitions,
/// the jobs it holds, and the accounts its user may charge. `orbrec get partitions|jobs`,
/// the API's and MCP's same, `status`'s slots and the plan's check of the partitions and
/// accounts the configuration names all read it. Failures throw `ProviderError`.
public protocol SchedulerQueueInformation: Scheduler {
    /// Every partition, as the cluster reports it now.
    func partitions() async throws -> [QueuePartition]

    /// The jobs of `owner` (this state's), and with `all` every other job of the same user.
    func jobs(ownedBy owner: String, all: Bool) async throws -> [QueueJob]

    /// The accounts the user may submit under; nil when the cluster cannot tell (Slurm
    /// without an accounting database), so nothing is checked against it.
    func accounts() async throws -> [String]?

    /// The partition jobs go to when a pool names none: the scheduler's own, else the cluster's default.
    var configuredPartition: String? { get }
}

extension SchedulerQueueInformation {
    public var configuredPartition: String? { nil }

    /// Slots used and free where this scheduler's jobs go (its partition, else the default).
    public func slots() async throws -> SchedulerSlots {
        let partitions = try await partitions()
        let chosen = partitions.first { $0.name == configuredPartition } ?? partitions.first { $0.isDefault } ?? partitions.first
        guard let chosen else { return SchedulerSlots(scheduler: name, partition: nil, used: 0, free: 0, total: 0) }
        return SchedulerSlots(scheduler: name, partition: chosen.name, used: chosen.cpus.allocated, free: chosen.cpus.idle,
                              total: chosen.cpus.total)
    }
}

/// How much of a scheduler is in use: CPUs of its partition on a cluster, slots locally.
public struct SchedulerSlots: Hashable, Sendable, Codable {
    public var scheduler: String
    public var partition: String?
    public var used: Int
    public var free: Int
    public var total: Int

    public init(scheduler: String, partition: String?, used: Int, free: Int, total: Int) {
        self.scheduler = scheduler
        self.partition = partition
        self.used = used
        self.free = free
        self.total = total
    }
}
