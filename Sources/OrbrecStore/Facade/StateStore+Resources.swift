public import OrbrecCore
internal import GRDB

extension StateStore {
    public func resources() throws -> [ResourceRecord] {
        try read { db in try ResourceRecord.order(Column("kind"), Column("name")).fetchAll(db) }
    }

    public func knownResources() throws -> [KnownResource] { try resources().map(\.known) }

    /// Records the desired resources as applied (a new generation where the spec changed)
    /// and forgets resources that are no longer desired and hold nothing.
    public func recordApplied(_ desired: DesiredState, versions: [ResourceID: String], conditions: [ResourceID: [Condition]],
                              forget: [ResourceID], at now: Instant) throws {
        try write { db in
            for resource in desired.resources {
                let existing = try ResourceRecord.fetchOne(db, key: ["kind": resource.id.kind.rawValue, "name": resource.id.name])
                let generation = existing.map { $0.specHash == resource.specHash ? $0.generation : $0.generation + 1 } ?? 1
                let record = ResourceRecord(
                    kind: resource.id.kind, name: resource.id.name, generation: generation, specHash: resource.specHash,
                    sourceFile: resource.metadata.location?.file, sourceLine: resource.metadata.location?.line,
                    sourceColumn: resource.metadata.location?.column, labels: resource.metadata.labels,
                    annotations: resource.metadata.annotations, version: versions[resource.id] ?? existing?.version ?? "",
                    status: "applied", conditions: conditions[resource.id] ?? existing?.conditions ?? [], appliedAt: now)
                try record.save(db)
            }
            for id in forget {
                try ResourceRecord.deleteOne(db, key: ["kind": id.kind.rawValue, "name": id.name])
            }
        }
    }
}
