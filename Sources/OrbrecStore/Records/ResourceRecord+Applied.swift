package import OrbrecCore

extension ResourceRecord {
    /// The record of `resource` as applied now over its last record, `existing`: a new
    /// generation where the spec changed, conditions stamped with the generation they describe.
    /// Shared by both backends (the one outside this module cannot call the memberwise initialiser).
    package static func applied(_ resource: DesiredResource, spec: String, version: String?, conditions: [Condition]?,
                                existing: ResourceRecord?, at now: Instant) -> ResourceRecord {
        let generation = existing.map { $0.specHash == resource.specHash ? $0.generation : $0.generation + 1 } ?? 1
        return ResourceRecord(
            kind: resource.id.kind, name: resource.id.name, generation: generation, specHash: resource.specHash,
            sourceFile: resource.metadata.location?.file, sourceLine: resource.metadata.location?.line,
            sourceColumn: resource.metadata.location?.column, labels: resource.metadata.labels,
            annotations: resource.metadata.annotations, spec: spec, version: version ?? existing?.version ?? "",
            status: "applied", conditions: stamped(conditions, existing: existing?.conditions ?? [], generation: generation),
            appliedAt: now)
    }

    /// The spec each kept kind of resource is recorded with, as JSON with sorted keys (what
    /// `appliedProviders`, `appliedSchedulers` and template history read back).
    package static func appliedSpecs(_ desired: DesiredState) -> [ResourceID: String] {
        var specs: [ResourceID: String] = [:]
        for provider in desired.providers.values { specs[provider.id] = SQLiteBackend.encodeJSON(provider) }
        for template in desired.templates.values { specs[template.id] = SQLiteBackend.encodeJSON(template) }
        for fleet in desired.fleets.values { specs[fleet.id] = SQLiteBackend.encodeJSON(fleet) }
        for scheduler in desired.schedulers.values { specs[scheduler.id] = SQLiteBackend.encodeJSON(scheduler) }
        return specs
    }

    /// New conditions stamped with the generation they describe; a condition whose status did
    /// not change keeps its last transition time, as Kubernetes does.
    package static func stamped(_ new: [Condition]?, existing: [Condition], generation: Int) -> [Condition] {
        guard let new else { return existing }
        return new.map { condition in
            var stamped = condition
            stamped.observedGeneration = generation
            if let previous = existing.first(where: { $0.type == condition.type }), previous.status == condition.status {
                stamped.lastTransitionTime = previous.lastTransitionTime
            }
            return stamped
        }
    }
}
