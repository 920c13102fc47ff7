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

    /// `maxMachines` caps the machines of a template across every fleet of the files that uses
    /// it. Machine requests are not judged here: `grantRequests` gives them what room is left.
    func checkMaxMachines(_ desired: DesiredState) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let fleetsByTemplate = Dictionary(grouping: desired.fleets.values.filter { !desired.isRequestFleet($0.name) }, by: \.template)
        for (name, fleets) in fleetsByTemplate.sorted(by: { $0.key < $1.key }) {
            guard let limit = desired.templates[name]?.maxMachines else { continue }
            let total = Self.saturatingSum(fleets.map(\.count))
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
            let total = Self.saturatingSum(desired.fleets.values.filter { $0.template == template.name }.map(\.count))
            rooms[template.name] = max(0, limit - total)
        }
        return rooms
    }

    /// Shares out what each template's `maxMachines` leaves after the files' fleets to its
    /// machine requests, in the order they were journaled. A request the room does not cover
    /// waits with a warning (the room comes back as machines are returned) rather than failing
    /// the plan of every fleet; it never gets fewer than it holds live, so nothing is taken back
    /// from whoever asked.
    func grantRequests(_ desired: inout DesiredState, machines: [FleetMachine]) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        let requests = desired.fleets.values.filter { desired.isRequestFleet($0.name) }
        for (name, fleets) in Dictionary(grouping: requests, by: \.template).sorted(by: { $0.key < $1.key }) {
            guard let limit = desired.templates[name]?.maxMachines else { continue }
            let files = Self.saturatingSum(desired.fleets.values.filter { $0.template == name && !desired.isRequestFleet($0.name) }.map(\.count))
            var room = max(0, limit - files)
            let ordered = fleets.sorted {
                (Int64($0.metadata.annotations[MachineDemand.requestedAtAnnotation] ?? "") ?? 0, $0.name)
                    < (Int64($1.metadata.annotations[MachineDemand.requestedAtAnnotation] ?? "") ?? 0, $1.name)
            }
            for fleet in ordered {
                let live = machines.filter { $0.fleet == fleet.name && $0.state.isLive && !desired.returning.contains($0.id) }.count
                let granted = max(min(fleet.count, room), min(live, fleet.count))
                room = max(0, room - granted)
                guard granted < fleet.count else { continue }
                desired.fleets[fleet.name]?.count = granted
                warnings.append(.warning(
                    "request-over-limit",
                    "\(fleet.id) asks for \(fleet.count) machine(s) of template \(name), over its maxMachines of \(limit): it leaves room "
                        + "for \(granted) after the fleets and earlier requests; the rest waits for room", at: nil))
            }
        }
        return warnings
    }

    /// A sum that stops at `Int.max` instead of trapping: counts come from files and callers.
    static func saturatingSum(_ values: [Int]) -> Int {
        values.reduce(0) { total, value in
            let (sum, overflow) = total.addingReportingOverflow(value)
            return overflow ? Int.max : sum
        }
    }
}
