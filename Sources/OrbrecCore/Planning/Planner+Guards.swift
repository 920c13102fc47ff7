extension Planner {
    /// Refuses to prune everything because a configuration came out empty (a wrong
    /// `--config`, a bad checkout) unless the user says `--allow-empty`.
    func guardEmptyConfiguration(_ input: PlanInput, machines: [FleetMachine]) -> [Diagnostic] {
        guard input.desired.isEmpty, !input.allowEmpty else { return [] }
        let held = machines.filter { !$0.state.isFinal || $0.state == .lost }.count
        guard held > 0 || !input.known.isEmpty else { return [] }
        return [.error(
            "empty-configuration",
            "the configuration declares no resources, but the state holds \(input.known.count) resource(s) and \(held) machine(s); "
                + "refusing to remove everything (pass --allow-empty if that is what you want)",
            at: nil)]
    }

    /// `maxMachines` caps the machines of a template across every fleet that uses it.
    func checkMaxMachines(_ desired: DesiredState) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let fleetsByTemplate = Dictionary(grouping: desired.fleets.values, by: \.template)
        for (name, fleets) in fleetsByTemplate.sorted(by: { $0.key < $1.key }) {
            guard let limit = desired.templates[name]?.maxMachines else { continue }
            let total = fleets.reduce(0) { $0 + $1.count }
            guard total > limit else { continue }
            for fleet in fleets.sorted(by: { $0.name < $1.name }) where fleet.count > 0 {
                let others = total - fleet.count
                let context = others > 0 ? " (\(total) with the other fleets of the template)" : ""
                diagnostics.append(.error(
                    "max-machines",
                    "\(fleet.id) asks for \(fleet.count) machine(s) of template \(name)\(context), over its maxMachines of \(limit)",
                    at: fleet.countLocation ?? fleet.metadata.location))
            }
        }
        return diagnostics
    }

    /// How many machines above the desired counts each template's `maxMachines` allows while
    /// machines are replaced; shared by every fleet of the template.
    func surgeRooms(in desired: DesiredState) -> [String: Int] {
        var rooms: [String: Int] = [:]
        for template in desired.templates.values {
            guard let limit = template.maxMachines else {
                rooms[template.name] = Int.max
                continue
            }
            let total = desired.fleets.values.filter { $0.template == template.name }.reduce(0) { $0 + $1.count }
            rooms[template.name] = max(0, limit - total)
        }
        return rooms
    }
}
