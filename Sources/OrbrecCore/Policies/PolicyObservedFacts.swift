/// What a resource rule sees as `observed`: the machines of a fleet and the tasks of a pool,
/// counted by state.
public enum PolicyObservedFacts {
    public static func fleet(_ name: String, machines: [FleetMachine]) -> PolicyValue {
        let mine = machines.filter { $0.fleet == name }
        var counts: [String: PolicyValue] = [
            "machines": .int(Int64(mine.filter { $0.state.isHeld }.count)),
        ]
        for state in [MachineState.pending, .running, .unhealthy, .terminating, .lost] {
            counts[state.rawValue] = .int(Int64(mine.filter { $0.state == state }.count))
        }
        return .map(counts)
    }

    public static func pool(_ name: String, tasks: [TaskStatus]) -> PolicyValue {
        let mine = tasks.filter { $0.pool == name }
        var counts: [String: PolicyValue] = ["tasks": .int(Int64(mine.count))]
        for state in TaskState.allCases {
            counts[state.rawValue] = .int(Int64(mine.filter { $0.state == state }.count))
        }
        return .map(counts)
    }

    /// The desired resources with their documents and observations, ready for a policy check.
    public static func subjects(desired: DesiredState, machines: [FleetMachine], tasks: [TaskStatus]) -> [PolicySubject] {
        desired.resources.compactMap { resource in
            guard resource.id.kind != .policy else { return nil }
            var spec = desired.documents[resource.id] ?? .map([:])
            // A fleet's count is the one in force: a running workflow step's when it sets one,
            // so a run cannot ask for more than a cap allows by writing it in a step.
            if resource.id.kind == .fleet, let count = desired.fleets[resource.id.name]?.count, case .map(var fields) = spec {
                fields["count"] = .int(Int64(count))
                spec = .map(fields)
            }
            let observed: PolicyValue = switch resource.id.kind {
            case .fleet: fleet(resource.id.name, machines: machines)
            case .taskPool: pool(resource.id.name, tasks: tasks)
            default: .map([:])
            }
            return PolicySubject(id: resource.id, metadata: resource.metadata, spec: spec, observed: observed)
        }
    }

    /// The shape of a resource rule's variables. `specFields` are the fields the matched kind's
    /// spec may have (nil when the rule matches several kinds: the spec is then checked only
    /// as it is evaluated).
    public static func resourceSchema(kind: ResourceKind?, specFields: [String]?) -> ExpressionSchema {
        let metadata: ExpressionType = .object(name: "metadata", fields: [
            "name": .string, "labels": .map(.string), "annotations": .map(.string),
        ], open: false)
        var spec: ExpressionType = .dyn
        if let kind, let specFields {
            spec = .object(name: "\(kind.rawValue) spec", fields: Dictionary(uniqueKeysWithValues: specFields.map { ($0, .dyn) }), open: false)
        }
        var observed: ExpressionType = .dyn
        switch kind {
        case .fleet?:
            var fields: [String: ExpressionType] = ["machines": .int]
            for state in [MachineState.pending, .running, .unhealthy, .terminating, .lost] { fields[state.rawValue] = .int }
            observed = .object(name: "observed Fleet", fields: fields, open: false)
        case .taskPool?:
            var fields: [String: ExpressionType] = ["tasks": .int]
            for state in TaskState.allCases { fields[state.rawValue] = .int }
            observed = .object(name: "observed TaskPool", fields: fields, open: false)
        default: break
        }
        return ExpressionSchema(variables: [
            "kind": .string, "metadata": metadata, "spec": spec, "observed": observed, "resource": .dyn,
        ])
    }
}
