extension FleetMachine {
    /// `machines` with each one built from its fleet's template as it is now stamped with that
    /// template's current hash, though its own hash differs (see `TemplateSpec.isCurrent`).
    ///
    /// After an upgrade that computes hashes another way, every machine carries a hash no
    /// template has any more; without this, every one would be replaced as template-changed.
    /// The machines themselves keep their stamp (an EC2 tag, a process's environment): the
    /// journal's template history, which keeps every hash recorded, is what vouches for it.
    public static func restamped(_ machines: [FleetMachine], desired: DesiredState,
                                 history: [String: [String: String]]) -> [FleetMachine] {
        var current: [String: TemplateSpec] = [:]
        for fleet in desired.fleets.values {
            current[fleet.name] = desired.templates[fleet.template]
        }
        return machines.map { machine in
            guard let template = current[machine.fleet], machine.templateHash != template.specHash,
                  template.isCurrent(hash: machine.templateHash, history: history) else { return machine }
            var restamped = machine
            restamped.templateHash = template.specHash
            return restamped
        }
    }
}
