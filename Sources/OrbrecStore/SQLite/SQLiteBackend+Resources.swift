package import OrbrecCore
internal import GRDB
internal import Foundation

extension SQLiteBackend {
    package func resources() async throws -> [ResourceRecord] {
        try await read { db in try ResourceRecord.order(Column("kind"), Column("name")).fetchAll(db) }
    }

    package func knownResources() async throws -> [KnownResource] { try await resources().map(\.known) }

    /// Records the desired resources as applied (a new generation where the spec changed)
    /// and forgets resources that are no longer desired and hold nothing.
    package func recordApplied(_ desired: DesiredState, versions: [ResourceID: String], conditions: [ResourceID: [Condition]],
                              forget: [ResourceID], at now: Instant) async throws {
        try await write { db in
            var specs: [ResourceID: String] = [:]
            for provider in desired.providers.values { specs[provider.id] = Self.encodeJSON(provider) }
            for template in desired.templates.values { specs[template.id] = Self.encodeJSON(template) }
            for fleet in desired.fleets.values { specs[fleet.id] = Self.encodeJSON(fleet) }
            for scheduler in desired.schedulers.values { specs[scheduler.id] = Self.encodeJSON(scheduler) }
            for resource in desired.resources {
                let existing = try ResourceRecord.fetchOne(db, key: ["kind": resource.id.kind.rawValue, "name": resource.id.name])
                let generation = existing.map { $0.specHash == resource.specHash ? $0.generation : $0.generation + 1 } ?? 1
                let record = ResourceRecord(
                    kind: resource.id.kind, name: resource.id.name, generation: generation, specHash: resource.specHash,
                    sourceFile: resource.metadata.location?.file, sourceLine: resource.metadata.location?.line,
                    sourceColumn: resource.metadata.location?.column, labels: resource.metadata.labels,
                    annotations: resource.metadata.annotations, spec: specs[resource.id] ?? "{}", version: versions[resource.id] ?? existing?.version ?? "",
                    status: "applied", conditions: Self.conditions(conditions[resource.id], existing: existing?.conditions ?? [],
                                                                   generation: generation),
                    appliedAt: now)
                try record.save(db)
            }
            for id in forget {
                try ResourceRecord.deleteOne(db, key: ["kind": id.kind.rawValue, "name": id.name])
            }
            for template in desired.templates.values {
                try Self.recordTemplateHistory(template, at: now, in: db)
            }
        }
    }
}

extension SQLiteBackend {
    /// New conditions stamped with the generation they describe; a condition whose status did
    /// not change keeps its last transition time, as Kubernetes does.
    static func conditions(_ new: [Condition]?, existing: [Condition], generation: Int) -> [Condition] {
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

    /// Providers applied before, as they were applied: for machines whose provider has
    /// since left the configuration.
    package func appliedSchedulers() async throws -> [SchedulerSpec] {
        let decoder = JSONDecoder()
        return try await resources().filter { $0.kind == .scheduler }.compactMap {
            try? decoder.decode(SchedulerSpec.self, from: Data($0.spec.utf8))
        }
    }

    package func appliedProviders() async throws -> [ProviderSpec] {
        let decoder = JSONDecoder()
        return try await resources().filter { $0.kind == .provider }.compactMap {
            try? decoder.decode(ProviderSpec.self, from: Data($0.spec.utf8))
        }
    }
}
