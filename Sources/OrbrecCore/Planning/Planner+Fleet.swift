extension Planner {
    /// Plans one desired fleet: replace what is broken, scale to `count`, then roll
    /// machines of an older template over in waves bounded by the update strategy.
    func planFleet(_ fleet: FleetSpec, template: TemplateSpec, machines: [FleetMachine], maxSurge: Int) -> [PlannedAction] {
        let currentHash = template.specHash
        func action(_ verb: Verb, _ reason: ActionReason, count: Int = 0, machines ids: [String] = []) -> PlannedAction {
            PlannedAction(verb: verb, resource: fleet.id, reason: reason, provider: template.provider,
                          template: template.name, templateHash: currentHash, count: count, machines: ids)
        }
        var actions: [PlannedAction] = []

        let terminating = machines.filter { $0.state == .terminating }
        if !terminating.isEmpty {
            actions.append(action(.return, .returnIncomplete, machines: terminating.map(\.id)))
        }

        let unhealthy = machines.filter { $0.state == .unhealthy }
        let lost = machines.filter { $0.state == .lost }
        var keep = machines.filter { $0.state.isLive } + (fleet.replaceUnhealthy ? [] : unhealthy)
        let broken = Self.byAge(lost + (fleet.replaceUnhealthy ? unhealthy : []))
        var lostReturns: [String] = []
        var unhealthyReturns: [String] = []
        func retire(_ machine: FleetMachine) {
            if machine.state == .lost { lostReturns.append(machine.id) } else { unhealthyReturns.append(machine.id) }
        }

        if keep.count > fleet.count {
            let victims = Array(scaleInOrder(keep, fleet: fleet, currentHash: currentHash).prefix(keep.count - fleet.count))
            let victimIDs = Set(victims.map(\.id))
            keep.removeAll { victimIDs.contains($0.id) }
            actions.append(action(.return, .scaleDown, machines: victims.map(\.id).sorted()))
            broken.forEach(retire)
        } else {
            var deficit = fleet.count - keep.count
            for machine in broken {
                if deficit > 0 {
                    var replace = action(.replace, machine.state == .lost ? .machineLost : .machineUnhealthy,
                                         count: 1, machines: [machine.id])
                    replace.surgeFirst = machine.state == .unhealthy
                    actions.append(replace)
                    deficit -= 1
                } else {
                    retire(machine)
                }
            }
            if deficit > 0 { actions.append(action(.provision, .scaleUp, count: deficit)) }
        }
        if !lostReturns.isEmpty { actions.append(action(.return, .machineLost, machines: lostReturns.sorted())) }
        if !unhealthyReturns.isEmpty { actions.append(action(.return, .machineUnhealthy, machines: unhealthyReturns.sorted())) }

        let outdated = Self.byAge(keep.filter { $0.templateHash != currentHash })
        let surge = min(fleet.updateStrategy.maxSurge, maxSurge)
        let waveSize = surge + fleet.updateStrategy.maxUnavailable
        if !outdated.isEmpty && waveSize > 0 {
            let waves = (outdated.count + waveSize - 1) / waveSize
            for (index, machine) in outdated.enumerated() {
                var replace = action(.replace, .templateChanged, count: 1, machines: [machine.id])
                replace.wave = index / waveSize + 1
                replace.waves = waves
                replace.surgeFirst = index % waveSize < surge
                actions.append(replace)
            }
        }
        return actions
    }

    /// Returns every machine of a fleet that is no longer in the configuration.
    func pruneFleet(_ id: ResourceID, machines: [FleetMachine]) -> [PlannedAction] {
        let byProvider = Dictionary(grouping: machines, by: \.provider)
        return byProvider.keys.sorted().map { provider in
            PlannedAction(verb: .return, resource: id, reason: .removedFromConfig, provider: provider, template: "",
                          templateHash: "", machines: (byProvider[provider] ?? []).map(\.id).sorted())
        }
    }

    /// The order in which machines leave a fleet that is too large: machines of an older
    /// template first, then ones not yet running, then by age as `scaleIn` says.
    func scaleInOrder(_ machines: [FleetMachine], fleet: FleetSpec, currentHash: String) -> [FleetMachine] {
        machines.sorted { lhs, rhs in
            let lhsOutdated = lhs.templateHash != currentHash
            let rhsOutdated = rhs.templateHash != currentHash
            if lhsOutdated != rhsOutdated { return lhsOutdated }
            let lhsPending = lhs.state != .running
            let rhsPending = rhs.state != .running
            if lhsPending != rhsPending { return lhsPending }
            if lhs.createdAt != rhs.createdAt {
                return fleet.scaleIn == .newestFirst ? lhs.createdAt > rhs.createdAt : lhs.createdAt < rhs.createdAt
            }
            return lhs.id < rhs.id
        }
    }

    static func byAge(_ machines: [FleetMachine]) -> [FleetMachine] {
        machines.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}
