/// `kind: Scheduler`: where task attempts run.
public struct SchedulerSpec: Hashable, Sendable, Codable {
    public enum SchedulerType: String, Sendable, Codable, CaseIterable {
        case local
        case slurm
        case pbs
        case lsf
        /// orbrec's own lease table, behind every pull pool; never written in a configuration.
        case leases

        /// Types this version submits to.
        public var isSupported: Bool { self == .local || self == .slurm || self == .leases }

        /// Types a Scheduler document may name.
        public static let declarable: [SchedulerType] = [.local, .slurm, .pbs, .lsf]

        /// Runs a pool's first attempts as one job array throttled by the pool's parallelism,
        /// so the planner need not hold them back.
        public var throttlesArrays: Bool { self == .slurm }
    }

    public var metadata: Metadata
    public var type: SchedulerType
    /// How many attempts may run at once on a local scheduler, across all its pools, as
    /// written; nil on a local scheduler is one per core of the host (`hostCores`).
    public var slots: Int?
    /// The cores of the host that read the configuration, which a local scheduler without
    /// `slots` runs as many attempts at once as. Not part of the hash: the same file must
    /// hash the same on a laptop, a CI runner and the daemon's host.
    public var hostCores: Int?
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var extraArgs: [String]?
    /// Where `partition` and `account` are written, for the plan's check of them (never hashed).
    public var partitionLocation: SourceLocation?
    public var accountLocation: SourceLocation?
    /// A slurm scheduler on a cluster reached over SSH; nil runs Slurm's commands on this host.
    public var ssh: SSHSettings?

    public init(metadata: Metadata, type: SchedulerType, slots: Int? = nil, partition: String? = nil,
                account: String? = nil, qos: String? = nil, extraArgs: [String]? = nil, ssh: SSHSettings? = nil) {
        self.metadata = metadata
        self.type = type
        self.slots = slots
        self.partition = partition
        self.account = account
        self.qos = qos
        self.extraArgs = extraArgs
        self.ssh = ssh
    }

    public var name: String { metadata.name }
    public var id: ResourceID { ResourceID(.scheduler, name) }

    /// How many attempts may run at once: `slots`, else the host's cores on a local
    /// scheduler; nil is no limit (a cluster decides).
    public var effectiveSlots: Int? { slots ?? (type == .local ? hostCores : nil) }

    /// Everything it says; not `hostCores`, which the host reading it fills in.
    public var specHash: String { CanonicalHash.of(self, excluding: ["hostCores"]) }
}
