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
            let specs = ResourceRecord.appliedSpecs(desired)
            for resource in desired.resources {
                let existing = try ResourceRecord.fetchOne(db, key: ["kind": resource.id.kind.rawValue, "name": resource.id.name])
                try ResourceRecord.applied(resource, spec: specs[resource.id] ?? "{}", version: versions[resource.id],
                                           conditions: conditions[resource.id], existing: existing, at: now).save(db)
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
