extension DesiredState {
    /// The desired state with what running workflow runs add: each provision step that has
    /// started sets its fleet's count (later steps over earlier ones), and each pool, inline
    /// pool or run step that is running is a pool of its own, named for the run and step.
    /// When a run ends its counts no longer apply and its pools are finished.
    ///
    /// A pool a workflow step refers to (`taskPool: {ref}`) is the pattern of that step's
    /// tasks: it does not run on its own.
    public func applying(_ runs: [WorkflowRun]) -> DesiredState {
        var state = self
        for name in workflowPools { state.pools[name] = nil }
        for run in runs where run.state == .running {
            guard let spec = workflows[run.workflow] else { continue }
            for stepSpec in spec.steps {
                guard let step = run.step(stepSpec.name) else { continue }
                switch stepSpec.work {
                case .provision(let fleet, let count, _):
                    if step.state == .running || step.state == .succeeded { state.fleets[fleet]?.count = count }
                case .taskPool(let ref):
                    guard step.state == .running, var pool = pools[ref] else { continue }
                    // The pattern's labels, annotations and document go with it: policies judge
                    // the run's pool as they judge the pool it was made from.
                    pool.metadata = Metadata(name: run.poolName(of: step.name), labels: pool.metadata.labels,
                                             annotations: pool.metadata.annotations, location: pool.metadata.location)
                    state.documents[pool.id] = documents[ResourceID(.taskPool, ref)]
                    if let retry = stepSpec.retry { pool.retry = retry }
                    state.pools[pool.name] = pool
                case .inlinePool(var pool):
                    guard step.state == .running else { continue }
                    pool.metadata = Metadata(name: run.poolName(of: step.name), labels: spec.metadata.labels,
                                             annotations: spec.metadata.annotations, location: pool.metadata.location)
                    if let retry = stepSpec.retry { pool.retry = retry }
                    state.pools[pool.name] = pool
                case .run(let scheduler, let command, let resources):
                    guard step.state == .running else { continue }
                    let values = ["workflow": run.workflow, "step": step.name, "run": run.id]
                    let argv = command.map { template in
                        var bound = template
                        bound.segments = template.segments.map { segment in
                            if case .variable(let name) = segment, let value = values[name] { .literal(value) } else { segment }
                        }
                        return bound
                    }
                    let pool = TaskPoolSpec(metadata: Metadata(name: run.poolName(of: step.name), labels: spec.metadata.labels,
                                                               annotations: spec.metadata.annotations, location: stepSpec.location),
                                            scheduler: scheduler, command: argv, source: .items(["run"]), resources: resources,
                                            parallelism: 1, retry: stepSpec.retry ?? .default)
                    state.pools[pool.name] = pool
                }
            }
        }
        return state
    }

    /// The pools workflow steps refer to.
    public var workflowPools: Set<String> {
        Set(workflows.values.flatMap(\.steps).compactMap { step in
            if case .taskPool(let ref) = step.work { ref } else { nil }
        })
    }
}
