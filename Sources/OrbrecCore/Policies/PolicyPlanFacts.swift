/// The plan as plan rules see it (`plan.summary`, `plan.actions`, `plan.returns`,
/// `plan.machines`), built from the plan and the state it was planned from.
public enum PolicyPlanFacts {
    /// - Parameters:
    ///   - desired: the desired state the plan converges to (with what workflow runs add).
    ///   - recorded: the machines the journal holds now.
    public static func value(plan: Plan, desired: DesiredState, recorded: [RecordedMachine]) -> PolicyValue {
        var summary: [String: PolicyValue] = [:]
        for (verb, count) in plan.summary { summary[verb.rawValue] = .int(Int64(count)) }

        var actions: [PolicyValue] = []
        var returns: [PolicyValue] = []
        for action in plan.actions {
            actions.append(.map([
                "verb": .string(action.verb.rawValue),
                "resource": .string(action.resource.description),
                "kind": .string(action.resource.kind.rawValue),
                "name": .string(action.resource.name),
                "reason": .string(action.reason.code),
                "reasonDetail": .string(action.reason.detail ?? ""),
                "units": .int(Int64(action.units)),
                "count": .int(Int64(action.count)),
                "machines": .list(action.machines.map(PolicyValue.string)),
                "provider": .string(action.provider),
                "template": .string(action.template),
            ]))
            guard action.verb == .return || action.verb == .replace else { continue }
            for machine in action.machines {
                returns.append(.map([
                    "machine": .string(machine),
                    "resource": .string(action.resource.description),
                    "fleet": .string(action.resource.name),
                    "provider": .string(action.returnProvider ?? action.provider),
                    "verb": .string(action.verb.rawValue),
                    "reason": .string(action.reason.code),
                ]))
            }
        }

        var desiredTotals = MachineTotals()
        for fleet in desired.fleets.values {
            let template = desired.templates[fleet.template]
            desiredTotals.add(fleet.count, template: fleet.template, provider: template?.provider ?? "")
        }
        var currentTotals = MachineTotals()
        for machine in recorded where machine.state.isHeld {
            currentTotals.add(1, template: machine.template, provider: machine.provider)
        }
        var machines = desiredTotals.value
        if case .map(var fields) = machines {
            fields["current"] = currentTotals.value
            machines = .map(fields)
        }
        return .map([
            "summary": .map(summary),
            "actions": .list(actions),
            "returns": .list(returns),
            "machines": machines,
            "changes": .int(Int64(plan.actions.count)),
            "revision": .string(plan.configRevision),
        ])
    }

    /// The shape of `plan`, for the static checks of plan rules: a misspelt field is an error
    /// at load time, not a surprise at plan time.
    public static var schema: ExpressionSchema {
        let totals: [String: ExpressionType] = ["total": .int, "byTemplate": .map(.int), "byProvider": .map(.int)]
        var machines = totals
        machines["current"] = .object(name: "plan.machines.current", fields: totals, open: false)
        let verbs = Dictionary(uniqueKeysWithValues: Verb.allCases.map { ($0.rawValue, ExpressionType.int) })
        let action: ExpressionType = .object(name: "plan action", fields: [
            "verb": .string, "resource": .string, "kind": .string, "name": .string, "reason": .string, "reasonDetail": .string,
            "units": .int, "count": .int, "machines": .list(.string), "provider": .string, "template": .string,
        ], open: false)
        let machineReturn: ExpressionType = .object(name: "plan return", fields: [
            "machine": .string, "resource": .string, "fleet": .string, "provider": .string, "verb": .string, "reason": .string,
        ], open: false)
        return ExpressionSchema(variables: [
            "plan": .object(name: "plan", fields: [
                "summary": .object(name: "plan.summary", fields: verbs, open: false),
                "actions": .list(action),
                "returns": .list(machineReturn),
                "machines": .object(name: "plan.machines", fields: machines, open: false),
                "changes": .int,
                "revision": .string,
            ], open: false),
        ])
    }

    private struct MachineTotals {
        var total = 0
        var byTemplate: [String: Int] = [:]
        var byProvider: [String: Int] = [:]

        mutating func add(_ count: Int, template: String, provider: String) {
            // Wrapping adds: counts are bounded at load time, and a plan must never trap here.
            total &+= count
            byTemplate[template, default: 0] &+= count
            byProvider[provider, default: 0] &+= count
        }

        var value: PolicyValue {
            .map([
                "total": .int(Int64(total)),
                "byTemplate": .map(byTemplate.mapValues { .int(Int64($0)) }),
                "byProvider": .map(byProvider.mapValues { .int(Int64($0)) }),
            ])
        }
    }
}
