package import OrbrecCore
internal import OrbrecStore
internal import Foundation
internal import PostgresNIO

extension PostgresBackend {
    /// Records what a template hash is made from, once: the first record of a hash stands,
    /// since the hash determines these fields.
    package func recordTemplateHistory(_ templates: [TemplateSpec], at now: Instant) async throws {
        try await write { tx in
            for template in templates { try await Self.recordTemplateHistory(template, at: now, in: tx) }
        }
    }

    static func recordTemplateHistory(_ template: TemplateSpec, at now: Instant, in tx: StateTransaction) async throws {
        try await tx.execute("""
            INSERT INTO template_history (hash, template, fields, recorded_at)
            VALUES (\(template.specHash), \(template.name), \(encodeJSON(template.replacementFieldValues)), \(now.millisecondsSinceEpoch))
            ON CONFLICT DO NOTHING
            """)
    }

    /// Every recorded template hash with its rendered fields.
    package func templateHistory() async throws -> [String: [String: String]] {
        try await read { tx in
            var history: [String: [String: String]] = [:]
            for row in try await tx.rows("SELECT hash, fields FROM template_history") {
                let (hash, text) = try row.decode((String, String).self)
                if let fields = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) { history[hash] = fields }
            }
            return history
        }
    }
}
