/// Desired state + observed state -> an ordered plan, each action with a reason.
///
/// A pure function: the same input always gives the same plan, and it reads no clock,
/// file or process. Everything it decides is tested without I/O.
public struct Planner: Sendable {
    public init() {}

    public func plan(_ input: PlanInput) throws(PlanFailure) -> Plan {
        var input = input
        if input.destroy {
            // As the `--allow-empty` path with an empty configuration: every fleet and pool
            // is gone, so every machine is returned and every unfinished task cancelled.
            input.desired = DesiredState(revision: input.desired.revision)
            input.allowEmpty = true
            input.replaceMachines = []
        }
        let machines = FleetMachine.restamped(FleetMachine.merge(observed: input.observed, recorded: input.recorded),
                                              desired: input.desired, history: input.templateHistory)
        let machinesByFleet = Dictionary(grouping: machines, by: \.fleet)
        var errors: [Diagnostic] = []
        var plan = Plan(configRevision: input.desired.revision)

        errors += guardEmptyConfiguration(input, machines: machines)
        plan.warnings += grantRequests(&input.desired, machines: machines)
        errors += checkMaxMachines(input.desired)
        errors += checkSurgery(input, machines: machines)
        let queueCheck = checkQueues(input)
        errors += queueCheck.errors
        plan.warnings += queueCheck.warnings

        for (provider, reason) in input.observed.unreachableProviders.sorted(by: { $0.key < $1.key }) {
            plan.warnings.append(.warning(
                "provider-unreachable",
                "provider \(provider) could not be observed (\(reason)); its fleets are left unchanged",
                at: input.desired.providers[provider]?.metadata.location))
        }

        var surgeRooms = surgeRooms(in: input.desired)
        let fleetNames = Set(input.desired.fleets.keys).union(machinesByFleet.keys)
        for name in fleetNames.sorted() {
            let fleetMachines = machinesByFleet[name] ?? []
            let id = ResourceID(.fleet, name)
            if let fleet = input.desired.fleets[name] {
                guard let template = input.desired.templates[fleet.template] else {
                    if input.desired.isRequestFleet(name) {
                        plan.actions += requestWithoutTemplate(fleet, machines: fleetMachines, returning: input.desired.returning,
                                                               warnings: &plan.warnings)
                    }
                    continue
                }
                if input.observed.unreachableProviders[template.provider] != nil
                    || fleetMachines.contains(where: { input.observed.unreachableProviders[$0.provider] != nil }) {
                    continue
                }
                let version = Self.resourceVersion(specHash: fleet.specHash + template.specHash, machines: fleetMachines)
                plan.resourceVersions[id] = version
                plan.drift += drift(of: id, machines: fleetMachines)
                var room = surgeRooms[template.name] ?? Int.max
                var actions = planFleet(fleet, template: template, machines: fleetMachines, surgeRoom: &room, warnings: &plan.warnings,
                                        history: input.templateHistory, forced: input.replaceMachines,
                                        returning: input.desired.returning)
                surgeRooms[template.name] = room
                for index in actions.indices { actions[index].resourceVersion = version }
                plan.actions += actions
            } else {
                if fleetMachines.contains(where: { input.observed.unreachableProviders[$0.provider] != nil }) { continue }
                let version = Self.resourceVersion(specHash: "absent", machines: fleetMachines)
                plan.resourceVersions[id] = version
                plan.drift += drift(of: id, machines: fleetMachines)
                if let known = input.known.first(where: { $0.id == id }), known.preventsDestroy {
                    errors.append(.error(
                        "prevent-destroy",
                        "\(id) was removed from the configuration but is annotated \(Metadata.preventDestroyAnnotation): \"true\"; "
                            + "planning would return \(fleetMachines.count) machine(s). Restore it, or remove the annotation and apply first",
                        at: known.location))
                    continue
                }
                var actions = pruneFleet(id, machines: fleetMachines)
                for index in actions.indices { actions[index].resourceVersion = version }
                plan.actions += actions
            }
        }
        // Known fleets removed from the configuration with no machines left still need the guard.
        for known in input.known where known.id.kind == .fleet && known.preventsDestroy
            && input.desired.fleets[known.id.name] == nil && machinesByFleet[known.id.name] == nil
            && !input.desired.isEmpty {
            errors.append(.error(
                "prevent-destroy",
                "\(known.id) was removed from the configuration but is annotated \(Metadata.preventDestroyAnnotation): \"true\"; "
                    + "restore it, or remove the annotation and apply first",
                at: known.location))
        }

        planPools(input, into: &plan)
        plan.updates = updates(input)
        if input.destroy {
            for index in plan.actions.indices where plan.actions[index].reason == .removedFromConfig {
                plan.actions[index].reason = .destroy
            }
        }

        if !errors.isEmpty { throw PlanFailure(errors.sortedByLocation()) }
        if !input.targets.isEmpty { limit(&plan, to: targetClosure(input)) }
        return plan
    }

    /// A digest of a resource's spec and its machines, so a saved plan can tell whether the
    /// world it was planned against has changed for the resources it touches.
    public static func resourceVersion(specHash: String, machines: [FleetMachine]) -> String {
        var hasher = StableHasher()
        hasher.combine(specHash)
        for machine in machines.sorted(by: { $0.id < $1.id }) {
            hasher.combine(machine.id)
            hasher.combine(machine.state.rawValue)
            hasher.combine(machine.templateHash)
        }
        return hasher.hexDigest
    }

    private func drift(of id: ResourceID, machines: [FleetMachine]) -> [DriftItem] {
        machines.compactMap { machine in
            switch machine.state {
            case .lost:
                return DriftItem(kind: .lost, resource: id, machine: machine.id,
                                 message: "machine \(machine.id) is recorded but the provider no longer has it")
            case .unhealthy:
                return DriftItem(kind: .unhealthy, resource: id, machine: machine.id,
                                 message: "machine \(machine.id) is unhealthy")
            default:
                if !machine.isRecorded {
                    return DriftItem(kind: .unrecorded, resource: id, machine: machine.id,
                                     message: "machine \(machine.id) carries this state's tags but is not in the journal; it is adopted")
                }
                return nil
            }
        }
    }

    /// A machine request whose template the configuration no longer declares: its machines are
    /// kept (a file's change does not take them from whoever asked), with a warning; those a
    /// return request names, or all of a request that wants none, are still returned.
    func requestWithoutTemplate(_ fleet: FleetSpec, machines: [FleetMachine], returning: Set<String>,
                                warnings: inout [Diagnostic]) -> [PlannedAction] {
        warnings.append(.warning(
            "request-template-missing",
            "\(fleet.id) holds machines of template \(fleet.template), which the configuration no longer declares; "
                + "they are kept until they are returned", at: nil))
        let back = machines.filter { ($0.state.isHeld || $0.state == .lost) && (fleet.count == 0 || returning.contains($0.id)) }
        let byProvider = Dictionary(grouping: back, by: \.provider)
        return byProvider.keys.sorted().map { provider in
            PlannedAction(verb: .return, resource: fleet.id, reason: .manualReturn, provider: provider, template: "",
                          templateHash: "", machines: (byProvider[provider] ?? []).map(\.id).sorted())
        }
    }
}
