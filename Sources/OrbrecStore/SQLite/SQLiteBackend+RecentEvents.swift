internal import OrbrecCore
internal import GRDB

extension SQLiteBackend {
    /// The newest `limit` events of one resource (`Fleet/workers`), oldest first: what
    /// `orbrec describe` shows of its history.
    package func recentEvents(resource: String, limit: Int) async throws -> [EventRecord] {
        try await read { db in
            Array(try EventRecord.filter(Column("resource") == resource).order(Column("seq").desc).limit(limit).fetchAll(db).reversed())
        }
    }

    /// The newest `limit` events of one subject (`machine/workers-ab12c`), oldest first.
    package func recentEvents(subject: String, limit: Int) async throws -> [EventRecord] {
        try await read { db in
            Array(try EventRecord.filter(Column("subject") == subject).order(Column("seq").desc).limit(limit).fetchAll(db).reversed())
        }
    }
}
