package import OrbrecCore
internal import GRDB
internal import Foundation

extension SQLiteBackend {
    /// Records what a template hash is made from, once: the first record of a hash stands,
    /// since the hash determines these fields.
    package func recordTemplateHistory(_ templates: [TemplateSpec], at now: Instant) async throws {
        try await write { db in
            for template in templates { try Self.recordTemplateHistory(template, at: now, in: db) }
        }
    }

    static func recordTemplateHistory(_ template: TemplateSpec, at now: Instant, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO template_history (hash, template, fields, recorded_at) VALUES (?, ?, ?, ?)",
            arguments: [template.specHash, template.name, encodeJSON(template.replacementFieldValues), now.millisecondsSinceEpoch])
    }

    /// Every recorded template hash with its rendered fields.
    package func templateHistory() async throws -> [String: [String: String]] {
        try await read { db in
            var history: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT hash, fields FROM template_history") {
                let hash: String = row["hash"]
                let text: String = row["fields"]
                if let fields = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) { history[hash] = fields }
            }
            return history
        }
    }
}
