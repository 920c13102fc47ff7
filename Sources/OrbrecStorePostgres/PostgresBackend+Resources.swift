package import OrbrecCore
package import OrbrecStore
internal import Foundation
internal import PostgresNIO

extension PostgresBackend {
    package func resources() async throws -> [ResourceRecord] {
        try await read { tx in try await tx.fetchAll(ResourceRecord.self, "SELECT * FROM resources ORDER BY kind, name") }
    }

    package func knownResources() async throws -> [KnownResource] { try await resources().map(\.known) }

    /// Records the desired resources as applied (a new generation where the spec changed)
    /// and forgets resources that are no longer desired and hold nothing.
    package func recordApplied(_ desired: DesiredState, versions: [ResourceID: String], conditions: [ResourceID: [Condition]],
                               forget: [ResourceID], at now: Instant) async throws {
        try await write { tx in
            let specs = ResourceRecord.appliedSpecs(desired)
            // One read of the rows being replaced, not one a resource. Only the desired keys:
            // a row of a kind this version cannot decode is left alone, as SQLite leaves it.
            let kinds = desired.resources.map(\.id.kind.rawValue)
            let names = desired.resources.map(\.id.name)
            let existingRows = try await tx.fetchAll(ResourceRecord.self, """
                SELECT r.* FROM resources r JOIN unnest(\(kinds)::text[], \(names)::text[]) AS wanted(kind, name)
                  ON r.kind = wanted.kind AND r.name = wanted.name
                """)
            let existing = Dictionary(existingRows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for resource in desired.resources {
                let record = ResourceRecord.applied(resource, spec: specs[resource.id] ?? "{}", version: versions[resource.id],
                                                    conditions: conditions[resource.id], existing: existing[resource.id], at: now)
                try await tx.insert(record, into: "resources", onConflict: .update(key: ["kind", "name"]))
            }
            for id in forget {
                try await tx.execute("DELETE FROM resources WHERE kind = \(id.kind.rawValue) AND name = \(id.name)")
            }
            for template in desired.templates.values {
                try await Self.recordTemplateHistory(template, at: now, in: tx)
            }
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
