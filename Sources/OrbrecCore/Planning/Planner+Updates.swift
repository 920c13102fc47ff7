extension Planner {
    /// Templates and fleets whose fields that do not replace machines differ from the spec
    /// last applied. Fields that replace machines are shown on the replacements instead.
    func updates(_ input: PlanInput) -> [ResourceUpdate] {
        let applied = Dictionary(input.known.compactMap { known in known.fields.map { (known.id, $0) } },
                                 uniquingKeysWith: { first, _ in first })
        var updates: [ResourceUpdate] = []
        for template in input.desired.templates.values {
            guard let old = applied[template.id] else { continue }
            let changes = FieldChange.between(old, template.fieldValues, fields: TemplateSpec.inPlaceFields)
            if !changes.isEmpty { updates.append(ResourceUpdate(resource: template.id, changes: changes)) }
        }
        for fleet in input.desired.fleets.values {
            guard let old = applied[fleet.id] else { continue }
            let changes = FieldChange.between(old, fleet.fieldValues, fields: FleetSpec.fields.filter { !$0.forcesReplacement })
            if !changes.isEmpty { updates.append(ResourceUpdate(resource: fleet.id, changes: changes)) }
        }
        return updates.sorted { $0.resource < $1.resource }
    }
}
