extension Planner {
    /// Refuses `--target` and `--replace` names that the configuration and the state do not
    /// hold, so a typo never yields a plan that silently does nothing.
    func checkSurgery(_ input: PlanInput, machines: [FleetMachine]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let held = Set(machines.map(\.fleet).map { ResourceID(.fleet, $0) })
            .union(input.tasks.map { ResourceID(.taskPool, $0.pool) })
            .union(input.known.map(\.id))
        for target in input.targets.sorted() where !input.desired.contains(target) && !held.contains(target) {
            diagnostics.append(.error("unknown-target", "--target \(target): neither the configuration nor the state holds it", at: nil))
        }
        let byID = Dictionary(machines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for id in input.replaceMachines.sorted() {
            let shown = TextEscaping.quoted(id, limit: 80)
            guard let machine = byID[id] else {
                diagnostics.append(.error("unknown-machine", "--replace \(shown): the state holds no such machine (see 'orbrec get machines')", at: nil))
                continue
            }
            if input.desired.fleets[machine.fleet] == nil {
                diagnostics.append(.error("cannot-replace", "--replace \(shown): its fleet Fleet/\(machine.fleet) is no longer in the configuration; "
                    + "its machines are returned, not replaced", at: nil))
            } else if !machine.state.isLive && machine.state != .unhealthy {
                diagnostics.append(.error("cannot-replace", "--replace \(shown): the machine is \(machine.state.rawValue); "
                    + "only a pending, running or unhealthy machine can be replaced", at: nil))
            }
        }
        return diagnostics
    }

    /// The targets and everything they depend on, as Terraform's `-target`: a fleet brings
    /// its template and provider, a pool its scheduler, a workflow the fleets and pools of its
    /// steps. Dependents are not included. Fleets of `--replace` machines are targets too.
    func targetClosure(_ input: PlanInput) -> Set<ResourceID> {
        let machineFleets = FleetMachine.merge(observed: input.observed, recorded: input.recorded)
            .filter { input.replaceMachines.contains($0.id) }.map { ResourceID(.fleet, $0.fleet) }
        var pending = Array(input.targets) + machineFleets
        var closure: Set<ResourceID> = []
        let desired = input.desired
        while let id = pending.popLast() {
            guard closure.insert(id).inserted else { continue }
            switch id.kind {
            case .fleet:
                if let fleet = desired.fleets[id.name] { pending.append(ResourceID(.template, fleet.template)) }
            case .template:
                if let template = desired.templates[id.name] { pending.append(ResourceID(.provider, template.provider)) }
            case .taskPool:
                if let pool = desired.pools[id.name] { pending.append(ResourceID(.scheduler, pool.scheduler)) }
            case .workflow:
                for step in desired.workflows[id.name]?.steps ?? [] {
                    switch step.work {
                    case .provision(let fleet, _, _): pending.append(ResourceID(.fleet, fleet))
                    case .taskPool(let ref): pending.append(ResourceID(.taskPool, ref))
                    case .inlinePool(let pool): pending.append(ResourceID(.scheduler, pool.scheduler))
                    case .run(let scheduler, _, _): pending.append(ResourceID(.scheduler, scheduler))
                    }
                }
            default:
                break
            }
        }
        return closure
    }

    /// Keeps what touches `closure` and says, as a warning, that the plan is partial.
    func limit(_ plan: inout Plan, to closure: Set<ResourceID>) {
        let left = plan.actions.filter { !closure.contains($0.resource) }.count + plan.updates.filter { !closure.contains($0.resource) }.count
        plan.actions.removeAll { !closure.contains($0.resource) }
        plan.updates.removeAll { !closure.contains($0.resource) }
        plan.drift.removeAll { !closure.contains($0.resource) }
        plan.targeted = closure.sorted()
        let note = left > 0 ? " \(left) change(s) outside them are left out." : ""
        plan.warnings.append(.warning(
            "partial-plan",
            "resource targeting is in effect: the plan covers only \(closure.sorted().map(\.description).joined(separator: ", ")).\(note) "
                + "The configuration may not be fully applied; run a plan without --target to see everything",
            at: nil))
    }
}

extension DesiredState {
    /// Whether the configuration declares this resource.
    public func contains(_ id: ResourceID) -> Bool {
        switch id.kind {
        case .provider: providers[id.name] != nil
        case .template: templates[id.name] != nil
        case .fleet: fleets[id.name] != nil
        case .scheduler: schedulers[id.name] != nil
        case .taskPool: pools[id.name] != nil
        case .workflow: workflows[id.name] != nil
        case .policy: policies[id.name] != nil
        }
    }
}
