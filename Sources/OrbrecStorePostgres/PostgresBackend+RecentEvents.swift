package import OrbrecStore
internal import PostgresNIO

extension PostgresBackend {
    /// The newest `limit` events of one resource (`Fleet/workers`), oldest first: what
    /// `orbrec describe` shows of its history.
    package func recentEvents(resource: String, limit: Int) async throws -> [EventRecord] {
        try await read { tx in
            Array(try await tx.fetchAll(EventRecord.self, """
                SELECT * FROM events WHERE resource = \(resource) ORDER BY seq DESC LIMIT \(limit)
                """).reversed())
        }
    }

    /// The newest `limit` events of one subject (`machine/workers-ab12c`), oldest first.
    package func recentEvents(subject: String, limit: Int) async throws -> [EventRecord] {
        try await read { tx in
            Array(try await tx.fetchAll(EventRecord.self, """
                SELECT * FROM events WHERE subject = \(subject) ORDER BY seq DESC LIMIT \(limit)
                """).reversed())
        }
    }
}
