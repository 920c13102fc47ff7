extension DesiredState {
    /// Every resource the daemon reconciles by key: fleets, task pools and workflows.
    /// Providers, templates and schedulers are reconciled through the fleets and pools that
    /// use them.
    public var reconcileKeys: Set<ResourceID> {
        Set(fleets.keys.map { ResourceID(.fleet, $0) } + pools.keys.map { ResourceID(.taskPool, $0) }
            + workflows.keys.map { ResourceID(.workflow, $0) })
    }

    /// The fleets and pools a change from `previous` touches: those added or removed, and
    /// those whose own spec, or the spec of the template, provider or scheduler they use,
    /// changed. With no previous configuration, all of them.
    public func reconcileKeys(changedFrom previous: DesiredState?) -> Set<ResourceID> {
        guard let previous else { return reconcileKeys }
        var keys: Set<ResourceID> = []
        for name in Set(fleets.keys).union(previous.fleets.keys) where fleetDigest(name) != previous.fleetDigest(name) {
            keys.insert(ResourceID(.fleet, name))
        }
        for name in Set(pools.keys).union(previous.pools.keys) where poolDigest(name) != previous.poolDigest(name) {
            keys.insert(ResourceID(.taskPool, name))
        }
        for name in Set(workflows.keys).union(previous.workflows.keys) where workflows[name]?.specHash != previous.workflows[name]?.specHash {
            keys.insert(ResourceID(.workflow, name))
        }
        return keys
    }

    private func fleetDigest(_ name: String) -> [String]? {
        guard let fleet = fleets[name] else { return nil }
        let template = templates[fleet.template]
        return [fleet.specHash, template?.specHash ?? "-", template.flatMap { providers[$0.provider] }?.specHash ?? "-"]
    }

    private func poolDigest(_ name: String) -> [String]? {
        guard let pool = pools[name] else { return nil }
        return [pool.specHash, schedulers[pool.scheduler]?.specHash ?? "-"]
    }
}
