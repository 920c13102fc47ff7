/// What a scheduler told of its queues when a plan was made: the names the plan checks the
/// configuration's partitions and accounts against, or why it could not be asked.
public enum QueueObservation: Hashable, Sendable {
    /// `accounts` nil: the cluster cannot tell (no accounting database), so accounts are not checked.
    case observed(partitions: Set<String>, accounts: Set<String>?)
    case unreachable(String)
}

/// A partition or account the configuration names for a scheduler, with where it is written.
public struct QueueReference: Hashable, Sendable {
    public enum Field: String, Hashable, Sendable {
        case partition
        case account
    }

    public var scheduler: String
    public var field: Field
    public var value: String
    /// Who names it: `Scheduler/slurm`, `TaskPool/sims`, `Workflow/nightly step fit`.
    public var owner: String
    public var location: SourceLocation?

    public init(scheduler: String, field: Field, value: String, owner: String, location: SourceLocation?) {
        self.scheduler = scheduler
        self.field = field
        self.value = value
        self.owner = owner
        self.location = location
    }

    /// Every partition and account the configuration names, once each: the schedulers' own, each
    /// push pool's `resources.partition`, and those of workflow steps that run a pool or a command.
    /// A pool a workflow run adds is the step's, already named by the step.
    public static func all(in desired: DesiredState) -> [QueueReference] {
        var references: [QueueReference] = []
        for scheduler in desired.schedulers.values.sorted(by: { $0.name < $1.name }) {
            let owner = scheduler.id.description
            if let partition = scheduler.partition {
                references.append(QueueReference(scheduler: scheduler.name, field: .partition, value: partition, owner: owner,
                                                 location: scheduler.partitionLocation ?? scheduler.metadata.location))
            }
            if let account = scheduler.account {
                references.append(QueueReference(scheduler: scheduler.name, field: .account, value: account, owner: owner,
                                                 location: scheduler.accountLocation ?? scheduler.metadata.location))
            }
        }
        func pool(_ resources: TaskPoolSpec.Resources, scheduler: String, owner: String, fallback: SourceLocation?) {
            guard let partition = resources.partition else { return }
            references.append(QueueReference(scheduler: scheduler, field: .partition, value: partition, owner: owner,
                                             location: resources.partitionLocation ?? fallback))
        }
        for spec in desired.pools.values.sorted(by: { $0.name < $1.name }) where spec.mode == .push {
            pool(spec.resources, scheduler: spec.scheduler, owner: spec.id.description, fallback: spec.metadata.location)
        }
        for workflow in desired.workflows.values.sorted(by: { $0.name < $1.name }) {
            for step in workflow.steps {
                let owner = "\(workflow.id) step \(step.name)"
                switch step.work {
                case .inlinePool(let spec) where spec.mode == .push:
                    pool(spec.resources, scheduler: spec.scheduler, owner: owner, fallback: step.location)
                case .run(let scheduler, _, let resources):
                    pool(resources, scheduler: scheduler, owner: owner, fallback: step.location)
                default: break
                }
            }
        }
        var seen: Set<QueueReference> = []
        return references.filter { seen.insert($0).inserted }
    }
}
