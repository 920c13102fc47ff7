extension Planner {
    /// Plans one desired fleet: replace what is broken, scale to `count`, then roll
    /// machines of an older template over in waves bounded by the update strategy.
    ///
    /// `surgeRoom` is what the template's `maxMachines` still allows above the desired counts;
    /// a surge taken here is taken from it, so fleets sharing a template share the room.
    ///
    /// `history` holds what each older template hash was made from, so a replacement names
    /// the fields it changes; `forced` are machines `--replace` asks to replace.
    func planFleet(_ fleet: FleetSpec, template: TemplateSpec, machines: [FleetMachine], surgeRoom: inout Int,
                   warnings: inout [Diagnostic], history: [String: [String: String]] = [:],
                   forced: Set<String> = [], returning: Set<String> = []) -> [PlannedAction] {
        let currentHash = template.specHash
        let currentFields = template.replacementFieldValues
        func action(_ verb: Verb, _ reason: ActionReason, count: Int = 0, machines ids: [String] = []) -> PlannedAction {
            PlannedAction(verb: verb, resource: fleet.id, reason: reason, provider: template.provider,
                          template: template.name, templateHash: currentHash, count: count, machines: ids)
        }
        /// Returns go to the provider that holds each machine, which need not be the one the template names now.
        func returns(_ reason: ActionReason, _ returned: [FleetMachine]) -> [PlannedAction] {
            let byProvider = Dictionary(grouping: returned, by: \.provider)
            return byProvider.keys.sorted().map { provider in
                var item = action(.return, reason, machines: (byProvider[provider] ?? []).map(\.id).sorted())
                item.provider = provider
                return item
            }
        }
        func replace(_ machine: FleetMachine, _ reason: ActionReason) -> PlannedAction {
            var item = action(.replace, reason, count: 1, machines: [machine.id])
            if machine.provider != template.provider { item.returnProvider = machine.provider }
            if machine.templateHash != currentHash, let old = history[machine.templateHash] {
                item.changes = FieldChange.between(old, currentFields, fields: TemplateSpec.replacementFields)
            }
            return item
        }
        var actions: [PlannedAction] = []

        let terminating = machines.filter { $0.state == .terminating }
        actions += returns(.returnIncomplete, terminating)

        // Asked back by a return request: returned whatever the count says, and not counted.
        let askedBack = machines.filter { returning.contains($0.id) && $0.state != .terminating }
        actions += returns(.manualReturn, Self.byAge(askedBack))
        let machines = machines.filter { !returning.contains($0.id) }

        let unhealthy = machines.filter { $0.state == .unhealthy }
        let lost = machines.filter { $0.state == .lost }
        // A machine request that does not replace lost machines (HostFactory's) lets its caller
        // learn of them and return them: they are retired, and still fill their place until the
        // sync gives them back for good (so a plan made without a sync provisions nothing).
        let replacesLost = fleet.metadata.annotations[MachineDemand.replaceLostAnnotation] != "false"
        var keep = machines.filter { $0.state.isLive } + (fleet.replaceUnhealthy ? [] : unhealthy)
        let broken = Self.byAge((replacesLost ? lost : []) + (fleet.replaceUnhealthy ? unhealthy : []))
        let lostInPlace = replacesLost ? 0 : lost.count
        var lostReturns: [FleetMachine] = []
        var unhealthyReturns: [FleetMachine] = []
        func retire(_ machine: FleetMachine) {
            if machine.state == .lost { lostReturns.append(machine) } else { unhealthyReturns.append(machine) }
        }

        if !replacesLost { lost.forEach(retire) }
        if keep.count + lostInPlace > fleet.count {
            let victims = Array(scaleInOrder(keep, fleet: fleet, currentHash: currentHash).prefix(max(0, keep.count + lostInPlace - fleet.count)))
            let victimIDs = Set(victims.map(\.id))
            keep.removeAll { victimIDs.contains($0.id) }
            actions += returns(.scaleDown, victims)
            broken.forEach(retire)
        } else {
            var deficit = fleet.count - keep.count - lostInPlace
            for machine in broken {
                if deficit > 0 {
                    var item = replace(machine, machine.state == .lost ? .machineLost : .machineUnhealthy)
                    // An unhealthy machine still counts against maxMachines: surge only if there is room.
                    if machine.state == .unhealthy && surgeRoom > 0 {
                        item.surgeFirst = true
                        surgeRoom -= 1
                    }
                    actions.append(item)
                    deficit -= 1
                } else {
                    retire(machine)
                }
            }
            if deficit > 0 { actions.append(action(.provision, .scaleUp, count: deficit)) }
        }
        actions += returns(.machineLost, lostReturns)
        actions += returns(.machineUnhealthy, unhealthyReturns)

        // Asked for by name: replaced now, ahead of any rollout, surging when the strategy and
        // maxMachines allow it as a rollout would.
        let requested = Self.byAge(keep.filter { forced.contains($0.id) })
        for machine in requested {
            var item = replace(machine, .replaceRequested)
            if fleet.updateStrategy.maxSurge > 0 && surgeRoom > 0 {
                item.surgeFirst = true
                surgeRoom -= 1
            }
            actions.append(item)
        }
        keep.removeAll { forced.contains($0.id) }

        // A request's machines keep the template version they were made with: they are the
        // caller's, and a rollout would hand it machines it never asked for.
        let outdated = fleet.metadata.annotations[MachineDemand.requestAnnotation] != nil ? []
            : Self.byAge(keep.filter { $0.templateHash != currentHash })
        guard !outdated.isEmpty else { return actions }
        let surge = min(fleet.updateStrategy.maxSurge, surgeRoom)
        surgeRoom -= surge
        let waveSize = surge + fleet.updateStrategy.maxUnavailable
        guard waveSize > 0 else {
            warnings.append(.warning(
                "rollout-blocked",
                "\(fleet.id) has \(outdated.count) machine(s) of an older \(template.id) but cannot replace them: "
                    + "maxMachines leaves no room to surge and maxUnavailable is 0; raise maxMachines or allow maxUnavailable",
                at: fleet.metadata.location))
            return actions
        }
        let waves = (outdated.count + waveSize - 1) / waveSize
        for (index, machine) in outdated.enumerated() {
            var item = replace(machine, .templateChanged)
            item.wave = index / waveSize + 1
            item.waves = waves
            item.surgeFirst = index % waveSize < surge
            actions.append(item)
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
