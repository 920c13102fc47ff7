/// Everything a configuration directory declares, validated and with references resolved.
public struct DesiredState: Sendable, Codable, Hashable {
    public var providers: [String: ProviderSpec]
    public var templates: [String: TemplateSpec]
    public var fleets: [String: FleetSpec]
    public var schedulers: [String: SchedulerSpec]
    public var pools: [String: TaskPoolSpec]
    public var workflows: [String: WorkflowSpec]
    /// Guardrails checked against every plan; not reconciled, so not counted as resources.
    public var policies: [String: PolicySpec]
    /// Each resource's `spec` as written, for policy rules.
    public var documents: [ResourceID: PolicyValue]
    /// A digest of every file that was read, so a plan names the configuration it came from.
    public var revision: String
    /// Machines return requests name (`orbrec machines return`): returned by the plan whatever
    /// their fleet's count; a fleet of the files replaces them, a machine request does not
    /// (its count went down with the return).
    public var returning: Set<String> = []
    /// Tasks of api pools someone asked to cancel (`DELETE /api/v1/pools/{pool}/tasks/{key}`):
    /// the plan cancels them while they are unfinished, and starts them no more.
    public var cancelling: Set<TaskID> = []

    public init(providers: [ProviderSpec] = [], templates: [TemplateSpec] = [], fleets: [FleetSpec] = [],
                schedulers: [SchedulerSpec] = [], pools: [TaskPoolSpec] = [], workflows: [WorkflowSpec] = [], policies: [PolicySpec] = [],
                documents: [ResourceID: PolicyValue] = [:], revision: String = "") {
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.documents = documents
        self.workflows = Dictionary(workflows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.schedulers = Dictionary(schedulers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.pools = Dictionary(pools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.templates = Dictionary(templates.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.fleets = Dictionary(fleets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.revision = revision
    }

    public var resourceCount: Int { providers.count + templates.count + fleets.count + schedulers.count + pools.count + workflows.count }

    public var isEmpty: Bool { resourceCount == 0 }

    public var sortedFleets: [FleetSpec] { fleets.values.sorted { $0.name < $1.name } }

    /// The provider a fleet's machines come from.
    public func provider(of fleet: FleetSpec) -> ProviderSpec? {
        templates[fleet.template].flatMap { providers[$0.provider] }
    }

    /// Every resource's identity with its spec hash and where it was written.
    public var resources: [DesiredResource] {
        let all: [DesiredResource] =
            providers.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
            + templates.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
            + fleets.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
            + schedulers.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
            + pools.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
            + workflows.values.map { DesiredResource(id: $0.id, specHash: $0.specHash, metadata: $0.metadata) }
        return all.sorted { $0.id < $1.id }
    }
}

/// A desired resource reduced to what the store records about it.
public struct DesiredResource: Sendable, Hashable, Codable {
    public var id: ResourceID
    public var specHash: String
    public var metadata: Metadata
}
