internal import ArgumentParser
internal import OrbrecCore
internal import OrbrecEngine

/// `--target` and `--replace`, shared by plan and apply.
struct SurgeryOptions: ParsableArguments {
    @Option(name: .customLong("target"),
            help: ArgumentHelp("Plan only this resource and what it depends on (repeatable). The plan is partial: not for routine use.",
                               valueName: "kind/name"),
            completion: ResourceCompletion.kind(.resource))
    var targets: [String] = []

    @Option(name: .customLong("replace"),
            help: ArgumentHelp("Replace this machine although nothing says it must be (repeatable).", valueName: "machine"),
            completion: ResourceCompletion.kind(.machine))
    var replace: [String] = []

    func validate() throws {
        for target in targets where ResourceID(parsing: target) == nil {
            throw ValidationError("--target \(target): expected KIND/NAME, e.g. Fleet/workers (kinds: "
                + ResourceKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        for machine in replace where machine.isEmpty { throw ValidationError("--replace needs a machine id") }
    }

    var isEmpty: Bool { targets.isEmpty && replace.isEmpty }

    var surgery: PlanSurgery {
        PlanSurgery(targets: Set(targets.compactMap { ResourceID(parsing: $0) }), replaceMachines: Set(replace))
    }
}
